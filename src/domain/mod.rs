//! Value types with rules, shared by every capability.

pub mod dates;
pub mod faults;
pub mod fen;
pub mod identifiers;
pub mod secrets;
pub mod text;
pub mod vocabulary;

/// An enum stored as text: one string per variant, the same in the database (through sea-orm's
/// `DeriveActiveEnum`), in JSON and in the API document, with `as_str`, `parse` and `ALL`.
///
/// The strings are taken as token trees, not `literal` fragments: a captured literal reaches
/// derive macros wrapped in an invisible group, and utoipa would then fall back to the variant
/// names.
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[sea_orm(string_value = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;

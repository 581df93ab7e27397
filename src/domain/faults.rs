//! What can go wrong with a request, said once for every caller: a field at fault, the faults of
//! one request collected, and the classes of failure that the API renders as problems and the
//! pages as error pages or an error summary.

use validator::{ValidationErrors, ValidationErrorsKind};

/// One thing wrong with one field of the request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `complainant.phone` or `complainants[1].id_number`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A request with fields at fault, every one of them.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the request has invalid fields: {}", .0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, message)])
    }
}

/// The faults of one request, collected so that all are reported at once.
#[derive(Debug, Default)]
pub struct Faults(pub Vec<FieldError>);

impl Faults {
    /// Starts with what the body's `validator` rules find.
    pub fn of(body: &impl validator::Validate) -> Faults {
        Faults(
            body.validate()
                .err()
                .map(|e| flatten(&e))
                .unwrap_or_default(),
        )
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.0.iter().any(|f| f.field == field) {
            self.0.push(FieldError::new(field, message));
        }
    }

    /// Fails with every fault collected, sorted by field.
    pub fn finish(mut self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_by(|a, b| a.field.cmp(&b.field));
        Err(Invalid(self.0))
    }

    pub fn take<T>(&mut self, field: &str, r: Result<T, &'static str>) -> Option<T> {
        r.map_err(|m| self.add(field, m)).ok()
    }
}

/// Turns validator's nested error tree into `field.path[i]` entries, sorted for stable output.
pub fn flatten(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    walk(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn walk(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), describe(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => walk(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    walk(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn describe(e: &validator::ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let param = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => format!("must have exactly {eq} items or characters"),
            (Some(min), Some(max), _) => {
                format!("must have between {min} and {max} characters or items")
            }
            (Some(min), None, _) => format!("must have at least {min} characters or items"),
            (None, Some(max), _) => format!("must have at most {max} characters or items"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an email address".into(),
        code => code.replace('_', " "),
    }
}

/// The classes of failure. Each capability's error says which class each of its cases is, once;
/// the API maps a class to a status code, the pages to an error page or an error summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Fields at fault (422 with the fields).
    Invalid,
    /// Well-formed but not acceptable as a whole (422).
    Unprocessable,
    /// Not authenticated (401).
    Unauthenticated,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// Unknown, or outside the caller's scope (404).
    NotFound,
    /// Not possible in the current state, or a concurrent change won (409).
    Conflict,
    /// Was valid once and is no longer, e.g. an expired single-use code (410).
    Gone,
    /// Too many attempts; retry after the given seconds (429).
    TooMany(u32),
    /// A dependency is down; retry after the given seconds (503).
    Unavailable(u32),
    /// A fault of the service itself (500).
    Internal,
}

impl Class {
    /// A database error is an outage (503) when the database is unreachable, else internal.
    pub fn of_db(e: &sea_orm::DbErr) -> Class {
        if crate::db::is_unavailable(e) {
            Class::Unavailable(5)
        } else {
            Class::Internal
        }
    }
}

/// A domain error that callers render: its class, a stable snake_case code, and the fields at
/// fault. Its `Display` is the detail shown to the client (never for internal failures).
pub trait Failure: std::error::Error + Send + Sync + 'static {
    fn class(&self) -> Class;
    fn code(&self) -> &'static str;
    fn fields(&self) -> &[FieldError] {
        &[]
    }
}

impl Failure for Invalid {
    fn class(&self) -> Class {
        Class::Invalid
    }
    fn code(&self) -> &'static str {
        "validation_failed"
    }
    fn fields(&self) -> &[FieldError] {
        &self.0
    }
}

/// A database error is an outage (503, to be retried) or a fault of the service.
impl Failure for sea_orm::DbErr {
    fn class(&self) -> Class {
        Class::of_db(self)
    }
    fn code(&self) -> &'static str {
        crate::db::error_code(self)
    }
}

/// Implements [`Failure`] for a capability's error enum from a table: each of its own variants
/// (a pattern) with its class and stable code, then the variants that wrap another failure, whose
/// class, code and fields pass through.
///
/// ```ignore
/// failure!(Error {
///     Error::NoLead(_) => NotFound, "not_found";
///     Error::Exists => Conflict, "lead_exists";
/// } passes [Access, Db]);
/// ```
macro_rules! failure {
    ($ty:ident { $($pat:pat => $class:expr, $code:literal;)* } passes [$($wrap:ident),*]) => {
        impl $crate::domain::faults::Failure for $ty {
            fn class(&self) -> $crate::domain::faults::Class {
                #[allow(unused_imports)]
                use $crate::domain::faults::Class::*;
                match self {
                    $($ty::$wrap(e) => $crate::domain::faults::Failure::class(e),)*
                    $($pat => $class,)*
                }
            }
            fn code(&self) -> &'static str {
                match self {
                    $($ty::$wrap(e) => $crate::domain::faults::Failure::code(e),)*
                    $($pat => $code,)*
                }
            }
            fn fields(&self) -> &[$crate::domain::faults::FieldError] {
                match self {
                    $($ty::$wrap(e) => $crate::domain::faults::Failure::fields(e),)*
                    #[allow(unreachable_patterns)]
                    _ => &[],
                }
            }
        }
    };
}
pub(crate) use failure;

/// The failure of a step that can only fail at the database.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Db(#[from] pub sea_orm::DbErr);

impl Failure for Db {
    fn class(&self) -> Class {
        Class::of_db(&self.0)
    }
    fn code(&self) -> &'static str {
        crate::db::error_code(&self.0)
    }
}

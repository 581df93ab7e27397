//! The kinds an evidence file and its uploader are of.

use crate::domain::text_enum;

text_enum! {
    /// What an evidence file is, as told by its bytes.
    pub enum MediaType {
        Jpeg = "image/jpeg",
        Png = "image/png",
        Webp = "image/webp",
        Heic = "image/heic",
        Pdf = "application/pdf",
    }
}

impl MediaType {
    pub fn is_photo(self) -> bool {
        self != MediaType::Pdf
    }
}

text_enum! {
    /// Who added a file: the business never learns more of a consumer than this.
    pub enum Uploader {
        Consumer = "consumer",
        Business = "business",
        Staff = "staff",
    }
}

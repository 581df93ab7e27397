//! What a file is, told by its first bytes (never by its name or the type the client declares).
//! A photo's thumbnail and copy without metadata are made by decoding it ([`super::images`]).

use super::MediaType;

/// The type of `bytes` by their signature, or `None` for anything not accepted.
pub fn recognise(bytes: &[u8]) -> Option<MediaType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(MediaType::Webp);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    // ISO base media: a `ftyp` box whose major brand is one of HEIF's.
    if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1"
        )
    {
        return Some(MediaType::Heic);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_bytes_not_their_names() {
        assert_eq!(recognise(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MediaType::Jpeg));
        assert_eq!(recognise(b"\x89PNG\r\n\x1a\n...."), Some(MediaType::Png));
        assert_eq!(recognise(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(recognise(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(
            recognise(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some(MediaType::Heic)
        );
        assert_eq!(recognise(b"MZ\x90\0 an executable"), None);
        assert_eq!(recognise(b"<html>"), None);
        assert_eq!(recognise(b""), None);
    }
}

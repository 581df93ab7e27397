//! What a file is, told by its first bytes (never by its name or the type the client declares),
//! and a photo's copy without its metadata: JPEG without APP1 (EXIF with GPS, XMP), APP13 (IPTC)
//! and comments; PNG without its text, time and EXIF chunks; WebP without its EXIF and XMP
//! chunks. The copy is made at the byte level, with no decoding, so no image is decompressed
//! (no decompression bomb can be set off). HEIC is recognised and kept, but has no copy: its
//! metadata lives inside a box structure rewritten only by decoding it, so a business is not
//! given a consumer's HEIC photo at all.

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

/// The photo without its metadata, or `None` when the type has no such copy (PDF, HEIC) or the
/// file's structure is broken (then it is kept only as the original, given to no business).
pub fn stripped(kind: MediaType, bytes: &[u8]) -> Option<Vec<u8>> {
    match kind {
        MediaType::Jpeg => jpeg(bytes),
        MediaType::Png => png(bytes),
        MediaType::Webp => webp(bytes),
        MediaType::Heic | MediaType::Pdf => None,
    }
}

/// Copies the JPEG's segments up to the image data but APP1, APP13 and COM, then the rest.
fn jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut at = 2;
    loop {
        if b.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *b.get(at + 1)?;
        match marker {
            // Fill bytes before a marker.
            0xFF => {
                at += 1;
                continue;
            }
            // Start of scan: the image data and everything after it stay as they are.
            0xDA => {
                out.extend_from_slice(&b[at..]);
                return Some(out);
            }
            // Markers without a length.
            0xD0..=0xD9 | 0x01 => {
                out.extend_from_slice(&b[at..at + 2]);
                at += 2;
                continue;
            }
            _ => {}
        }
        let len = u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]) as usize;
        let end = at
            .checked_add(2 + len)
            .filter(|&e| len >= 2 && e <= b.len())?;
        if !matches!(marker, 0xE1 | 0xED | 0xFE) {
            out.extend_from_slice(&b[at..end]);
        }
        at = end;
    }
}

/// Copies the PNG's chunks but the textual, time and EXIF ones.
fn png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..8]);
    let mut at = 8;
    while at < b.len() {
        let len = u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = b.get(at + 4..at + 8)?;
        let end = at.checked_add(12 + len).filter(|&e| e <= b.len())?;
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"tIME" | b"eXIf") {
            out.extend_from_slice(&b[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

/// Copies the WebP's RIFF chunks but EXIF and XMP, clears their flags in `VP8X` and writes the
/// new RIFF size.
fn webp(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..12]);
    let mut at = 12;
    while at + 8 <= b.len() {
        let kind = &b[at..at + 4];
        let len = u32::from_le_bytes(b[at + 4..at + 8].try_into().ok()?) as usize;
        // Chunks are padded to an even length.
        let end = at
            .checked_add(8 + len + (len & 1))
            .filter(|&e| e <= b.len())?;
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" if len >= 1 => {
                let flags = out.len() + 8;
                out.extend_from_slice(&b[at..end]);
                // Bit 3 says EXIF is present, bit 2 XMP.
                out[flags] &= !0b0000_1100;
            }
            _ => out.extend_from_slice(&b[at..end]),
        }
        at = end;
    }
    if at != b.len() {
        return None;
    }
    let size = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an EXIF segment (holding a GPS tag's bytes), a comment and image data.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07]);
        b.extend_from_slice(b"JFIF\0");
        let exif = b"Exif\0\0GPS 30.1N 120.9E";
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        b.extend_from_slice(exif);
        b.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06]);
        b.extend_from_slice(b"note");
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0xAA, 0xBB, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn files_are_told_by_their_bytes_not_their_names() {
        assert_eq!(recognise(&jpeg_with_exif()), Some(MediaType::Jpeg));
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

    #[test]
    fn a_jpeg_loses_its_exif_and_comment_and_keeps_its_image() {
        let original = jpeg_with_exif();
        let copy = stripped(MediaType::Jpeg, &original).unwrap();
        let has = |b: &[u8], what: &[u8]| b.windows(what.len()).any(|w| w == what);
        assert!(has(&original, b"GPS"));
        assert!(!has(&copy, b"GPS"), "no location left");
        assert!(!has(&copy, b"note"));
        assert!(has(&copy, b"JFIF"));
        assert!(copy.ends_with(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0xAA, 0xBB, 0xFF, 0xD9]));
        // A segment running past the end is a broken file: no copy.
        assert_eq!(stripped(MediaType::Jpeg, &original[..12]), None);
    }

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(chunk(b"IHDR", &[0; 13]));
        b.extend(chunk(b"tEXt", b"Author\0Zhang San"));
        b.extend(chunk(b"eXIf", b"GPS"));
        b.extend(chunk(b"IDAT", &[1, 2, 3]));
        b.extend(chunk(b"IEND", &[]));
        let copy = stripped(MediaType::Png, &b).unwrap();
        let mut expected = b"\x89PNG\r\n\x1a\n".to_vec();
        expected.extend(chunk(b"IHDR", &[0; 13]));
        expected.extend(chunk(b"IDAT", &[1, 2, 3]));
        expected.extend(chunk(b"IEND", &[]));
        assert_eq!(copy, expected);
    }

    #[test]
    fn a_webp_loses_its_exif_chunk_and_flag() {
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(b"VP8X");
        body.extend_from_slice(&10u32.to_le_bytes());
        body.extend_from_slice(&[0b0000_1000, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        body.extend_from_slice(b"VP8 ");
        body.extend_from_slice(&3u32.to_le_bytes());
        body.extend_from_slice(&[9, 9, 9, 0]);
        body.extend_from_slice(b"EXIF");
        body.extend_from_slice(&3u32.to_le_bytes());
        body.extend_from_slice(b"GPS\0");
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&(body.len() as u32).to_le_bytes());
        b.extend(body);
        let copy = stripped(MediaType::Webp, &b).unwrap();
        assert!(!copy.windows(3).any(|w| w == b"GPS"));
        assert_eq!(copy[20], 0, "the EXIF flag is cleared");
        let size = u32::from_le_bytes(copy[4..8].try_into().unwrap()) as usize;
        assert_eq!(size, copy.len() - 8);
    }
}

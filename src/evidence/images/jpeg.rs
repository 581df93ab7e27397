//! A JPEG's copy without metadata, made from its own bytes: the segments a decoder needs are kept
//! as they are (frame and scan headers, quantisation and Huffman tables, restart interval, the
//! Adobe colour-transform flag, the ICC colour profile, and the entropy-coded data), and every
//! other one is dropped: EXIF (with its GPS location and camera details), XMP, IPTC and
//! Photoshop blocks, JFIF and its thumbnail, multi-picture data, comments, and anything after
//! the end of the image. The pixels are the original's, with no second lossy encoding, and the
//! step takes milliseconds where encoding 12 megapixels again takes a third of a second. How the
//! picture stands is kept as the one thing EXIF still says: a block holding only its
//! orientation tag, written when it is not upright as stored.

use image::metadata::Orientation;

/// The copy of `bytes` (a JPEG the decoder accepted), or `None` when its structure cannot be
/// followed to the end of its image, which the caller encodes again from the pixels instead.
pub fn without_metadata(bytes: &[u8], orientation: Orientation) -> Option<Vec<u8>> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    if orientation != Orientation::NoTransforms {
        out.extend_from_slice(&orientation_block(orientation));
    }
    let mut i = 2;
    loop {
        // A marker: 0xFF, any fill bytes 0xFF, its code.
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        while *bytes.get(i + 1)? == 0xFF {
            i += 1;
        }
        let code = bytes[i + 1];
        match code {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            // Standalone markers out of a scan carry nothing.
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]));
        if length < 2 {
            return None;
        }
        let segment = bytes.get(i..i + 2 + length)?;
        let body = &segment[4..];
        if keeps(code, body) {
            out.extend_from_slice(segment);
        }
        i += 2 + length;
        if code == 0xDA {
            // The scan's entropy-coded data runs to the next marker that is neither a stuffed
            // 0xFF00 nor a restart marker.
            let start = i;
            while *bytes.get(i)? != 0xFF || matches!(*bytes.get(i + 1)?, 0x00 | 0xD0..=0xD7 | 0xFF)
            {
                i += 1;
            }
            out.extend_from_slice(&bytes[start..i]);
        }
    }
}

/// Whether a segment with marker `code` and `body` is one a decoder needs.
fn keeps(code: u8, body: &[u8]) -> bool {
    match code {
        // Frames (SOF0–SOF15 but DHT, JPG and DAC), tables, restart interval, scans.
        0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => true,
        0xC4 | 0xCC | 0xDB | 0xDD | 0xDA => true,
        // APP2 only as the ICC profile; APP14 as Adobe's colour transform.
        0xE2 => body.starts_with(b"ICC_PROFILE\0"),
        0xEE => body.starts_with(b"Adobe"),
        // APP0 (JFIF), APP1 (EXIF, XMP), the other APPn, COM, and the rest.
        _ => false,
    }
}

/// An APP1 EXIF segment holding only the orientation tag.
fn orientation_block(orientation: Orientation) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    // Tag 0x0112 (Orientation), type SHORT, one value, padded; then no next IFD.
    exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation.to_exif(), 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    segment.extend(exif);
    segment
}

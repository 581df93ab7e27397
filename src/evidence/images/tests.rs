use image::{GenericImageView, ImageEncoder, RgbImage};

use super::*;

fn has(b: &[u8], what: &[u8]) -> bool {
    b.windows(what.len()).any(|w| w == what)
}

/// An APP1 EXIF segment saying the picture is turned (orientation 6: rotate 90° to show it),
/// followed by a location's bytes.
fn exif_segment() -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[
        0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    exif.extend_from_slice(b"GPS 30.8N 120.9E");
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    seg.extend(exif);
    seg
}

/// A 60 × 20 JPEG carrying the EXIF segment after its start marker.
fn jpeg_with_exif() -> Vec<u8> {
    let picture = RgbImage::from_fn(60, 20, |x, _| image::Rgb([(x * 4) as u8, 90, 200]));
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(picture.as_raw(), 60, 20, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut b = plain[..2].to_vec();
    b.extend(exif_segment());
    b.extend_from_slice(&plain[2..]);
    b
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &byte in data {
        c ^= u32::from(byte);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&crc32(&[kind, data].concat()).to_be_bytes());
    c
}

/// A PNG of a few dozen bytes declaring `width` × `height` grey pixels.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend(chunk(b"IHDR", &ihdr));
    b.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0, 0, 0, 0, 1]));
    b.extend(chunk(b"IEND", &[]));
    b
}

/// The JPEG `b` with a segment inserted after its start marker: a comment, XMP and trailing bytes.
fn with_more_metadata(b: &[u8]) -> Vec<u8> {
    let mut out = b[..2].to_vec();
    for (code, body) in [
        (0xFEu8, b"shot at home".as_slice()),
        (
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Beijing</x:xmpmeta>",
        ),
    ] {
        out.extend_from_slice(&[0xFF, code]);
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
    }
    out.extend_from_slice(&b[2..]);
    out.extend_from_slice(b"trailing data after the image");
    out
}

#[test]
fn a_jpegs_copy_keeps_its_pixels_and_only_its_orientation_and_stands_upright() {
    let original = with_more_metadata(&jpeg_with_exif());
    assert!(has(&original, b"GPS") && has(&original, b"xmpmeta"));
    let d = derive(MediaType::Jpeg, &original, 1_000_000)
        .unwrap()
        .unwrap();
    for gone in [b"GPS".as_slice(), b"xmpmeta", b"shot at home", b"trailing"] {
        assert!(
            !has(&d.copy, gone),
            "{} left",
            String::from_utf8_lossy(gone)
        );
    }
    assert!(d.copy.ends_with(&[0xFF, 0xD9]), "ends with its image");
    // The same compressed pixels, not a second encoding.
    let decoded = |b: &[u8]| {
        image::load_from_memory_with_format(b, ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8()
    };
    assert_eq!(decoded(&d.copy), decoded(&original));
    // Shown as the original is: its orientation is all the EXIF it keeps.
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&d.copy)).unwrap();
    assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);
    // The TIFF header, one IFD entry and no next IFD.
    assert_eq!(
        decoder.exif_metadata().unwrap().unwrap().len(),
        8 + 2 + 12 + 4
    );
    let thumb = image::load_from_memory_with_format(&d.thumbnail, ImageFormat::Jpeg).unwrap();
    assert!(
        thumb.height() > thumb.width(),
        "the thumbnail is turned as the EXIF said"
    );
}

#[test]
fn an_upright_jpegs_copy_has_no_exif_and_a_broken_structure_is_encoded_again() {
    let picture = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 50]));
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(picture.as_raw(), 40, 30, image::ExtendedColorType::Rgb8)
        .unwrap();
    let d = derive(MediaType::Jpeg, &plain, 1_000_000).unwrap().unwrap();
    assert!(
        !has(&d.copy, b"Exif") && !has(&d.copy, b"JFIF"),
        "no APP0 or APP1 left"
    );
    // Cut after its scan's start: the decoder still reads it, the structure cannot be followed
    // to its end, and the copy is encoded from the pixels (whole, with its end marker).
    assert!(
        super::jpeg::without_metadata(&plain[..plain.len() - 2], Orientation::NoTransforms)
            .is_none()
    );
    if let Ok(Some(d)) = derive(MediaType::Jpeg, &plain[..plain.len() - 2], 1_000_000) {
        assert!(d.copy.ends_with(&[0xFF, 0xD9]));
        assert_eq!(
            image::load_from_memory(&d.copy).unwrap().dimensions(),
            (40, 30)
        );
    }
}

#[test]
fn a_large_photos_thumbnail_fits_in_the_box_and_keeps_its_shape() {
    let picture = RgbImage::from_fn(1600, 900, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(picture.as_raw(), 1600, 900, image::ExtendedColorType::Rgb8)
        .unwrap();
    let d = derive(MediaType::Png, &png, 50_000_000).unwrap().unwrap();
    let thumb = image::load_from_memory(&d.thumbnail).unwrap();
    assert_eq!(thumb.dimensions(), (320, 180));
    assert!(d.thumbnail.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    let copy = image::load_from_memory_with_format(&d.copy, ImageFormat::Png).unwrap();
    assert_eq!(copy.to_rgb8(), picture, "a PNG's copy is lossless");
}

#[test]
fn a_webps_copy_is_a_webp_without_its_exif() {
    let picture = RgbImage::from_fn(30, 30, |x, y| image::Rgb([x as u8 * 8, y as u8 * 8, 0]));
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp)
        .write_image(picture.as_raw(), 30, 30, image::ExtendedColorType::Rgb8)
        .unwrap();
    let d = derive(MediaType::Webp, &webp, 1_000_000).unwrap().unwrap();
    assert_eq!(&d.copy[8..12], b"WEBP");
    let copy = image::load_from_memory_with_format(&d.copy, ImageFormat::WebP).unwrap();
    assert_eq!(copy.to_rgb8(), picture);
}

#[test]
fn a_picture_declaring_more_pixels_than_the_limit_is_refused_before_it_is_decoded() {
    let bomb = png_declaring(100_000, 100_000);
    assert!(bomb.len() < 100);
    match derive(MediaType::Png, &bomb, 50_000_000) {
        Err(Refusal::TooLarge {
            width: 100_000,
            height: 100_000,
            limit: 50_000_000,
        }) => {}
        Err(e) => panic!("refused, but for {e}"),
        Ok(_) => panic!("decoded a bomb"),
    }
    // At the limit exactly it is read (and found broken: its pixel data is not there).
    assert!(matches!(
        derive(MediaType::Png, &png_declaring(100, 100), 10_000),
        Err(Refusal::Unreadable(_))
    ));
}

#[test]
fn heic_and_pdf_have_no_derived_files_and_a_broken_photo_is_unreadable() {
    assert!(matches!(
        derive(MediaType::Heic, b"\0\0\0\x18ftypheic", 10),
        Ok(None)
    ));
    assert!(matches!(
        derive(MediaType::Pdf, b"%PDF-1.7\n", 10),
        Ok(None)
    ));
    let mut cut = jpeg_with_exif();
    cut.truncate(40);
    assert!(matches!(
        derive(MediaType::Jpeg, &cut, 1_000_000),
        Err(Refusal::Unreadable(_))
    ));
}

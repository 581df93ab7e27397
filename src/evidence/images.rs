//! A photo's derived files, made by decoding it: the thumbnail (within 320 × 320, JPEG, turned as
//! the EXIF orientation says) and the copy without metadata, so that no EXIF (with its GPS
//! location), XMP, IPTC or comment survives. A JPEG's copy keeps its own compressed pixels with
//! only the segments a decoder needs ([`jpeg`]; its orientation stays as a one-tag EXIF block);
//! a PNG or WebP, or a JPEG whose structure cannot be followed, is encoded again from its pixels,
//! turned upright first. Only the ICC colour profile is carried over. The
//! dimensions the file declares are read from its header and a photo over `max_pixels` is
//! refused before any pixel is decompressed (a decompression bomb); the decoder is bounded by
//! `image`'s `Limits` as well. HEIC has no pure-Rust decoder: it is kept as the original only,
//! with neither file; PDFs have none either. Decoding is CPU work: callers run it on a blocking
//! thread.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits};

use super::MediaType;

/// The box a thumbnail fits in, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;
const THUMBNAIL_QUALITY: u8 = 80;
/// The copy of a JPEG is encoded again, as close to the original as a second encoding goes.
const COPY_QUALITY: u8 = 90;

/// The files made from a photo.
pub struct Derived {
    /// The photo without metadata, in its own format.
    pub copy: Vec<u8>,
    /// A JPEG within [`THUMBNAIL_SIZE`] on each side.
    pub thumbnail: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{width} × {height} pixels, more than the {limit} a photo may have")]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error("the picture cannot be read ({0})")]
    Unreadable(String),
}

fn format(kind: MediaType) -> Option<ImageFormat> {
    match kind {
        MediaType::Jpeg => Some(ImageFormat::Jpeg),
        MediaType::Png => Some(ImageFormat::Png),
        MediaType::Webp => Some(ImageFormat::WebP),
        MediaType::Heic | MediaType::Pdf => None,
    }
}

fn unreadable(e: image::ImageError) -> Refusal {
    Refusal::Unreadable(e.to_string())
}

/// The thumbnail and the copy of a photo of type `kind` (as told by its bytes), or `None` for a
/// type that has neither (HEIC, PDF).
pub fn derive(kind: MediaType, bytes: &[u8], max_pixels: u64) -> Result<Option<Derived>, Refusal> {
    let Some(format) = format(kind) else {
        return Ok(None);
    };
    let mut reader = ImageReader::new(Cursor::new(bytes));
    // The type is the one the bytes were recognised as, never guessed again.
    reader.set_format(format);
    let mut limits = Limits::default();
    // The decoded picture (at most 8 bytes a pixel: 16-bit RGBA) and room for the decoder's own.
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Refusal::TooLarge {
            width,
            height,
            limit: max_pixels,
        });
    }
    let icc = decoder.icc_profile().ok().flatten();
    // An EXIF block too broken to say how the picture stands leaves it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;

    // The thumbnail is made beside the copy, on a second thread.
    let (copy, thumbnail) = std::thread::scope(|s| {
        let small = s.spawn(|| thumbnail_of(&picture, orientation));
        let copy = match kind {
            MediaType::Jpeg => jpeg::without_metadata(bytes, orientation).map(Ok),
            _ => None,
        }
        .unwrap_or_else(|| copy_of(kind, &picture, orientation, icc));
        let thumbnail = small
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (copy, thumbnail)
    });
    Ok(Some(Derived {
        copy: copy.map_err(unreadable)?,
        thumbnail: thumbnail.map_err(unreadable)?,
    }))
}

/// The picture encoded again in its own format, turned upright, carrying only its colour profile.
fn copy_of(
    kind: MediaType,
    picture: &DynamicImage,
    orientation: Orientation,
    icc: Option<Vec<u8>>,
) -> image::ImageResult<Vec<u8>> {
    let turned;
    let picture = match orientation {
        Orientation::NoTransforms => picture,
        o => {
            let mut p = picture.clone();
            p.apply_orientation(o);
            turned = p;
            &turned
        }
    };
    let mut copy = Vec::new();
    match kind {
        MediaType::Jpeg => encode(
            picture,
            JpegEncoder::new_with_quality(&mut copy, COPY_QUALITY),
            icc,
        ),
        MediaType::Png => encode(
            picture,
            PngEncoder::new_with_quality(&mut copy, CompressionType::Fast, FilterType::Adaptive),
            icc,
        ),
        _ => encode(picture, WebPEncoder::new_lossless(&mut copy), icc),
    }?;
    Ok(copy)
}

/// The thumbnail, turned upright once small.
fn thumbnail_of(picture: &DynamicImage, orientation: Orientation) -> image::ImageResult<Vec<u8>> {
    let mut small = picture.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE);
    small.apply_orientation(orientation);
    let mut thumbnail = Vec::new();
    // JPEG has no alpha: a transparent picture's thumbnail is flattened.
    DynamicImage::ImageRgb8(small.into_rgb8()).write_with_encoder(
        JpegEncoder::new_with_quality(&mut thumbnail, THUMBNAIL_QUALITY),
    )?;
    Ok(thumbnail)
}

fn encode(
    picture: &DynamicImage,
    mut encoder: impl ImageEncoder,
    icc: Option<Vec<u8>>,
) -> image::ImageResult<()> {
    if let Some(icc) = icc {
        // A format that cannot carry a profile goes without it.
        let _ = encoder.set_icc_profile(icc);
    }
    picture.write_with_encoder(encoder)
}

mod jpeg;

#[cfg(test)]
mod tests;

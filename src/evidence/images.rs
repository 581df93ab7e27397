//! A photo's derived files, made by decoding it: the thumbnail (within 320 × 320, JPEG) and the
//! copy without metadata, re-encoded from its pixels in its own format, so that no EXIF (with
//! its GPS location), XMP, IPTC or comment survives; the EXIF orientation is applied first, so
//! the copy stands as the original is shown. Only the ICC colour profile is carried over. The
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
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);

    // The thumbnail is made beside the copy, on a second thread: the copy's encoding is the
    // longest step.
    let (copy, thumbnail) = std::thread::scope(|s| {
        let small = s.spawn(|| thumbnail_of(&picture));
        let copy = copy_of(kind, &picture, icc);
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

/// The picture encoded again in its own format, carrying only its colour profile.
fn copy_of(
    kind: MediaType,
    picture: &DynamicImage,
    icc: Option<Vec<u8>>,
) -> image::ImageResult<Vec<u8>> {
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

fn thumbnail_of(picture: &DynamicImage) -> image::ImageResult<Vec<u8>> {
    let small = picture.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE);
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

#[cfg(test)]
mod tests;

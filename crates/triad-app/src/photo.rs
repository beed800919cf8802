//! An uploaded photo (of evidence, or of a banned person) becomes two things: the SHA-256 of the original bytes (the
//! original itself is kept unaltered for law enforcement) and a viewing copy re-encoded from
//! the decoded pixels, which carries no metadata at all (no EXIF, no GPS).
//!
//! Uploads are hostile until proven otherwise: the format is sniffed from the bytes, never
//! taken from the name or the declared type; dimensions are checked from the header before
//! any pixel buffer exists (an "image bomb" is a huge image in a small file); a truncated
//! JPEG is refused rather than shown half grey. A decoded photo takes four bytes a pixel, so
//! pixels are capped (setting `photos.max_megapixels`, default 50: every phone photo passes)
//! and only as many photos are decoded at once as the machine has cores; the others wait.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// What an upload may be.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_width: u32,
    pub max_height: u32,
    pub max_pixels: u64,
    pub max_alloc: u64,
}

impl Default for Limits {
    /// Room for any phone camera today (a 200-megapixel sensor bins to 50 MP photos).
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 100_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// The setting that caps a photo's pixels, in megapixels.
pub const MAX_MEGAPIXELS_SETTING: &str = "photos.max_megapixels";
const DEFAULT_MAX_MEGAPIXELS: i64 = 50;

impl Limits {
    /// The limits in force: the defaults, with pixels capped by the instance's setting (and
    /// the decoder's memory with them: four bytes a pixel, twice over for the conversions).
    pub async fn in_force(db: &triad_store::Db) -> triad_store::StoreResult<Self> {
        let megapixels = triad_store::settings::get_i64(
            &mut db.acquire().await?,
            MAX_MEGAPIXELS_SETTING,
            DEFAULT_MAX_MEGAPIXELS,
        )
        .await?
        .clamp(1, 200);
        let max_pixels = u64::try_from(megapixels).unwrap_or(50) * 1_000_000;
        Ok(Self {
            max_pixels,
            max_alloc: max_pixels * 4 * 2,
            ..Self::default()
        })
    }
}

/// Checks and re-encodes a photo off the runtime's threads, at most one decode per core at a
/// time: eight 12-megapixel photos sent at once wait their turn rather than all holding their
/// pixels together.
pub async fn process_bounded(
    bytes: impl AsRef<[u8]> + Send + 'static,
    limits: Limits,
) -> Result<Result<Processed, PhotoError>, tokio::task::JoinError> {
    static DECODES: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let decodes = DECODES.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores)
    });
    // The semaphore is never closed, so a permit always comes.
    let _turn = decodes.acquire().await;
    tokio::task::spawn_blocking(move || process(bytes.as_ref(), &limits)).await
}

/// The long side of the viewing copy: enough for a hearing, small enough for a phone.
const VIEW_MAX_SIDE: u32 = 2048;
const VIEW_QUALITY: u8 = 85;

#[derive(Debug)]
pub struct Processed {
    /// Hex SHA-256 of the original bytes exactly as uploaded.
    pub sha256: String,
    /// "jpeg" or "png", from the bytes themselves.
    pub format: &'static str,
    /// The media type of the original.
    pub media_type: &'static str,
    /// The original's size as displayed (after its orientation).
    pub width: u32,
    pub height: u32,
    /// The viewing copy: JPEG, upright, no metadata.
    pub view_jpeg: Vec<u8>,
    pub view_width: u32,
    pub view_height: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit_mb} MB")]
    TooLarge { limit_mb: usize },
    #[error("this file is not a JPEG or PNG image, whatever its name says")]
    NotAnImage,
    #[error("{0} images are not accepted: export the photo as JPEG and try again")]
    Unsupported(&'static str),
    #[error("the image is {width} × {height} pixels, more than Triad accepts; send the photo as the camera took it")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image is damaged or incomplete (was the upload cut short?)")]
    Damaged,
}

/// The formats recognised from their first bytes, and whether they are accepted.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(ImageFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(ImageFormat::Png),
        Ok(ImageFormat::Gif) => Err(PhotoError::Unsupported("GIF")),
        Ok(ImageFormat::WebP) => Err(PhotoError::Unsupported("WebP")),
        Ok(ImageFormat::Tiff) => Err(PhotoError::Unsupported("TIFF")),
        Ok(ImageFormat::Bmp) => Err(PhotoError::Unsupported("BMP")),
        Ok(ImageFormat::Avif) => Err(PhotoError::Unsupported("AVIF")),
        _ if is_heic(bytes) => Err(PhotoError::Unsupported("HEIC")),
        _ => Err(PhotoError::NotAnImage),
    }
}

/// iPhones save HEIC by default: say so instead of "not an image".
fn is_heic(bytes: &[u8]) -> bool {
    bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1" | b"hevc")
}

/// A JPEG must end its last scan with the end-of-image marker. Some decoders fill a cut-short
/// file with grey instead of failing; evidence must not be shown half-present. The last
/// start-of-scan is the main image's (an EXIF thumbnail's own markers come before it).
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

fn decoder_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc);
    l
}

/// Hashes, checks, decodes and re-encodes one uploaded photo.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge {
            limit_mb: limits.max_bytes / (1024 * 1024),
        });
    }
    let format = sniff(bytes)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Damaged);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| refused(e, bytes, format))?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().map_err(|_| PhotoError::Damaged)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Damaged)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let view = if width.max(height) > VIEW_MAX_SIDE {
        image.resize(
            VIEW_MAX_SIDE,
            VIEW_MAX_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    let rgb = view.into_rgb8();
    let mut view_jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut view_jpeg, VIEW_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Damaged)?;
    let (jpeg, png) = ("jpeg", "png");
    Ok(Processed {
        sha256: hex::encode(Sha256::digest(bytes)),
        format: if format == ImageFormat::Jpeg {
            jpeg
        } else {
            png
        },
        media_type: if format == ImageFormat::Jpeg {
            "image/jpeg"
        } else {
            "image/png"
        },
        width,
        height,
        view_width: rgb.width(),
        view_height: rgb.height(),
        view_jpeg,
    })
}

/// Tells a header over the limits (a bomb) from a damaged file, naming the dimensions.
fn refused(e: image::ImageError, bytes: &[u8], format: ImageFormat) -> PhotoError {
    if matches!(e, image::ImageError::Limits(_)) {
        let dims = ImageReader::with_format(Cursor::new(bytes), format)
            .into_dimensions()
            .unwrap_or((0, 0));
        return PhotoError::TooManyPixels {
            width: dims.0,
            height: dims.1,
        };
    }
    PhotoError::Damaged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: image::RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    fn gradient(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]))
    }

    /// Inserts an APP1 EXIF segment (little-endian TIFF with the given IFD entries) after SOI.
    fn with_exif(jpeg: &[u8], entries: &[(u16, u16, u32, u32)], tail: &[u8]) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, kind, count, value) in entries {
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&kind.to_le_bytes());
            tiff.extend_from_slice(&count.to_le_bytes());
            tiff.extend_from_slice(&value.to_le_bytes());
        }
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(tail);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_jpeg_is_hashed_as_sent_and_viewed_as_a_clean_copy() {
        let bytes = encode(gradient(64, 48), ImageFormat::Jpeg);
        let p = process(&bytes, &Limits::default()).unwrap();
        assert_eq!(p.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!((p.width, p.height, p.format), (64, 48, "jpeg"));
        let view = image::load_from_memory(&p.view_jpeg).unwrap();
        assert_eq!((view.width(), view.height()), (64, 48));
        let png = process(
            &encode(gradient(30, 20), ImageFormat::Png),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!((png.format, png.media_type), ("png", "image/png"));
        assert_eq!(
            image::guess_format(&png.view_jpeg).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn gps_never_reaches_the_viewing_copy_and_orientation_is_applied() {
        let plain = encode(gradient(64, 48), ImageFormat::Jpeg);
        let marker = b"GPSLatitude-37.7749";
        // Orientation 6 (rotate 90) and a GPSInfo pointer to the bytes after the IFD.
        let gps = with_exif(&plain, &[(0x0112, 3, 1, 6), (0x8825, 4, 1, 38)], marker);
        let p = process(&gps, &Limits::default()).unwrap();
        assert_eq!(
            p.sha256,
            hex::encode(Sha256::digest(&gps)),
            "the original is hashed as sent"
        );
        assert!(!p.view_jpeg.windows(marker.len()).any(|w| w == marker));
        assert!(!p.view_jpeg.windows(4).any(|w| w == b"Exif"));
        assert_eq!((p.view_width, p.view_height), (48, 64), "shown upright");
    }

    #[test]
    fn hostile_files_are_refused_for_what_they_are() {
        let limits = Limits::default();
        assert!(matches!(
            process(b"hello, this is not a picture", &limits),
            Err(PhotoError::NotAnImage)
        ));
        assert!(matches!(
            process(b"GIF89a\x01\0\x01\0\0\0\0;", &limits),
            Err(PhotoError::Unsupported("GIF"))
        ));
        let jpeg = encode(gradient(64, 48), ImageFormat::Jpeg);
        assert!(matches!(
            process(&jpeg[..jpeg.len() / 2], &limits),
            Err(PhotoError::Damaged)
        ));
        let small = Limits {
            max_bytes: 100,
            ..Limits::default()
        };
        assert!(matches!(
            process(&jpeg, &small),
            Err(PhotoError::TooLarge { .. })
        ));
    }

    #[test]
    fn image_bombs_are_refused_from_their_header() {
        let mut jpeg = encode(gradient(32, 24), ImageFormat::Jpeg);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        let e = process(&jpeg, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                e,
                PhotoError::TooManyPixels {
                    width: 60000,
                    height: 60000
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("60000"));
        let mut png = encode(gradient(8, 8), ImageFormat::Png);
        png[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            process(&png, &Limits::default()),
            Err(PhotoError::TooManyPixels { width: 50000, .. })
        ));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

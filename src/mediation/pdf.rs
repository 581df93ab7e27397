//! A small PDF writer for the 调解书: A4 pages of text in one embedded CJK TrueType font
//! (WenQuanYi Micro Hei, data/fonts), subset to the glyphs used and written as a CIDFontType2 with
//! Identity-H encoding and a ToUnicode CMap, so the Chinese text is real, extractable text.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Timelike, Utc};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

const FONT: &[u8] = include_bytes!("../../data/fonts/wqy-microhei.ttc");
/// Face 0 of the collection is the proportional Micro Hei (1 is the monospaced one).
const FACE: u32 = 0;

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 72.0;
const BODY: f32 = 12.0;
const LEADING: f32 = 1.7;

/// One block of the document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Large, centred: the issuing bureau and the document title.
    Title(String),
    Right(String),
    /// A bold-ish section heading (body size, on its own line).
    Heading(String),
    /// Wrapped body text; `indent` starts the first line two characters in.
    Para {
        text: String,
        indent: bool,
    },
    Gap,
}

impl Block {
    pub fn para(text: impl Into<String>) -> Block {
        Block::Para {
            text: text.into(),
            indent: false,
        }
    }

    pub fn indented(text: impl Into<String>) -> Block {
        Block::Para {
            text: text.into(),
            indent: true,
        }
    }
}

/// A positioned line of text.
struct Line {
    x: f32,
    y: f32,
    size: f32,
    text: String,
}

struct Metrics<'a> {
    face: Face<'a>,
    units: f32,
}

impl Metrics<'_> {
    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| f32::from(self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0)))
            .sum::<f32>()
            * size
            / self.units
    }
}

/// Renders the blocks as a PDF.
pub fn render(title: &str, blocks: &[Block], created: DateTime<Utc>) -> Result<Vec<u8>, String> {
    let face = Face::parse(FONT, FACE).map_err(|e| format!("font: {e}"))?;
    let metrics = Metrics {
        units: f32::from(face.units_per_em()),
        face,
    };
    let pages = layout(&metrics, blocks);
    write(&metrics, title, &pages, created)
}

/// Breaks the blocks into lines and the lines into pages.
fn layout(m: &Metrics, blocks: &[Block]) -> Vec<Vec<Line>> {
    let width = PAGE.0 - 2.0 * MARGIN;
    let mut pages = vec![Vec::new()];
    let mut y = PAGE.1 - MARGIN;
    let mut put = |pages: &mut Vec<Vec<Line>>, x: f32, size: f32, text: String| {
        if y - size * LEADING < MARGIN {
            pages.push(Vec::new());
            y = PAGE.1 - MARGIN;
        }
        y -= size * LEADING;
        if let Some(page) = pages.last_mut() {
            page.push(Line { x, y, size, text });
        }
    };
    for block in blocks {
        match block {
            Block::Title(t) => {
                let size = 18.0;
                put(
                    &mut pages,
                    (PAGE.0 - m.width(t, size)) / 2.0,
                    size,
                    t.clone(),
                );
            }
            Block::Right(t) => {
                put(
                    &mut pages,
                    PAGE.0 - MARGIN - m.width(t, BODY),
                    BODY,
                    t.clone(),
                );
            }
            Block::Heading(t) => put(&mut pages, MARGIN, BODY + 1.0, t.clone()),
            Block::Gap => put(&mut pages, MARGIN, BODY / 2.0, String::new()),
            Block::Para { text, indent } => {
                for paragraph in text.lines() {
                    let first = if *indent { 2.0 * BODY } else { 0.0 };
                    for (i, line) in wrap(m, paragraph, width, first).into_iter().enumerate() {
                        let x = MARGIN + if i == 0 { first } else { 0.0 };
                        put(&mut pages, x, BODY, line);
                    }
                }
            }
        }
    }
    pages
}

/// Greedy wrapping by character: Chinese breaks between any two characters.
fn wrap(m: &Metrics, text: &str, width: f32, first_indent: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut room = width - first_indent;
    for c in text.chars() {
        let w = m.width(c.encode_utf8(&mut [0; 4]), BODY);
        if !line.is_empty() && m.width(&line, BODY) + w > room {
            lines.push(std::mem::take(&mut line));
            room = width;
        }
        line.push(c);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn write(
    m: &Metrics,
    title: &str,
    pages: &[Vec<Line>],
    created: DateTime<Utc>,
) -> Result<Vec<u8>, String> {
    // Glyphs used, in first-use order, and the character each stands for (for ToUnicode).
    let mut remapper = GlyphRemapper::new();
    let mut chars: BTreeMap<u16, char> = BTreeMap::new();
    for line in pages.iter().flatten() {
        for c in line.text.chars() {
            let cid = remapper.remap(m.glyph(c).0);
            chars.entry(cid).or_insert(c);
        }
    }
    let font_data =
        subsetter::subset(FONT, FACE, &remapper).map_err(|e| format!("subsetting: {e}"))?;

    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let type0 = alloc();
    let cid_font = alloc();
    let descriptor = alloc();
    let font_file = alloc();
    let cmap = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("xiaobao"))
        .creation_date(
            Date::new(created.year() as u16)
                .month(created.month() as u8)
                .day(created.day() as u8)
                .hour(created.hour() as u8)
                .minute(created.minute() as u8)
                .second(created.second() as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        );

    // A subset font's name carries a tag of six capitals, here derived from the glyphs in it.
    let tag: String = {
        let mut h: u32 = 2166136261;
        for (cid, c) in &chars {
            h = (h ^ (u32::from(*cid) << 16 | *c as u32 & 0xffff)).wrapping_mul(16777619);
        }
        (0..6)
            .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
            .collect()
    };
    let base_font = format!("{tag}+WenQuanYiMicroHei");
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(cmap);
    let scale = |v: f32| v * 1000.0 / m.units;
    let widths: Vec<f32> = remapper
        .remapped_gids()
        .map(|gid| {
            scale(f32::from(
                m.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0),
            ))
        })
        .collect();
    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base_font.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(scale(m.units))
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();
    let bbox = m.face.global_bounding_box();
    let ascent = scale(f32::from(m.face.ascender()));
    pdf.font_descriptor(descriptor)
        .name(Name(base_font.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scale(f32::from(bbox.x_min)),
            scale(f32::from(bbox.y_min)),
            scale(f32::from(bbox.x_max)),
            scale(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(scale(f32::from(m.face.descender())))
        .cap_height(
            m.face
                .capital_height()
                .map_or(ascent, |h| scale(f32::from(h))),
        )
        .stem_v(80.0)
        .font_file2(font_file);
    pdf.stream(font_file, &font_data)
        .pair(Name(b"Length1"), font_data.len() as i32);
    let mut unicode = UnicodeCmap::new(Name(b"Xiaobao-UCS"), system_info);
    for (cid, c) in &chars {
        unicode.pair(*cid, *c);
    }
    pdf.cmap(cmap, &unicode.finish());

    for (lines, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), type0);
        page.finish();
        let mut content = Content::new();
        for line in lines.iter().filter(|l| !l.text.is_empty()) {
            let encoded: Vec<u8> = line
                .text
                .chars()
                .flat_map(|c| remapper.get(m.glyph(c).0).unwrap_or(0).to_be_bytes())
                .collect();
            content
                .begin_text()
                .set_font(Name(b"F1"), line.size)
                .next_line(line.x, line.y)
                .show(Str(&encoded))
                .end_text();
        }
        pdf.stream(*content_id, &content.finish());
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_character_a_document_uses() {
        let face = Face::parse(FONT, FACE).unwrap();
        let sample = "嘉市监善调〔2026〕第0012号 投诉人：张三（TS20261123-ABCD） 统一社会信用代码：91330421MA2B3C4D5K ¥128.00、；。";
        let missing: Vec<char> = sample
            .chars()
            .filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none())
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn long_text_wraps_within_the_margins_and_flows_onto_new_pages() {
        let blocks: Vec<Block> = (0..80)
            .map(|i| Block::indented(format!("第{i}条 {}", "调解协议内容".repeat(20))))
            .collect();
        let face = Face::parse(FONT, FACE).unwrap();
        let m = Metrics {
            units: f32::from(face.units_per_em()),
            face,
        };
        let pages = layout(&m, &blocks);
        assert!(pages.len() > 3);
        for line in pages.iter().flatten() {
            assert!(line.x + m.width(&line.text, line.size) <= PAGE.0 - MARGIN + 0.01);
            assert!(line.y >= MARGIN);
        }
        let pdf = render("t", &blocks, Utc::now()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

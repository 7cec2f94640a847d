//! A [`Layout`] as a Word document (OOXML, `.docx`), written with the `docx-rs` crate.
//!
//! A4, Times New Roman throughout; portrait pages have margins of 20 mm top and bottom, 30 mm
//! left (binding), 15 mm right (HD 36-HD/VPTW); landscape pages ([`Block::NewPage`]) 20 mm
//! all round but 15 mm right. Each orientation change ends a Word section. The header and
//! signature blocks are borderless two-column tables (as the templates Word users copy do
//! it); tables have ½-pt borders and fixed column widths, so Word, LibreOffice and the
//! national app's viewer lay them out alike. The output is deterministic: the same layout
//! gives the same bytes (paragraph ids are numbered here, not by the crate's thread-local
//! counter).

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, PageOrientationType, PageSize,
    Paragraph as DocxParagraph, Run, RunFonts, SectionProperty, SpecialIndentType,
    Table as DocxTable, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::{Align, Block, Columns, Layout, Orientation, Paragraph, Table};
use crate::Result;

/// The font of party documents.
pub const FONT: &str = "Times New Roman";

// Twentieths of a point (twips): 1 mm = 56.7 twips.
const A4_SHORT: u32 = 11_906; // 210 mm
const A4_LONG: u32 = 16_838; // 297 mm
const MM_20: i32 = 1_134;
const MM_30: i32 = 1_701;
const MM_15: i32 = 850;
const MM_10: i32 = 567;
const FIRST_LINE_INDENT: i32 = MM_10;
/// Line spacing of prose (240 = single): 1.15 lines.
const PROSE_LINE: i32 = 276;

/// Page geometry of one orientation.
struct Page {
    width: u32,
    height: u32,
    top: i32,
    bottom: i32,
    left: i32,
    right: i32,
}

impl Page {
    fn of(o: Orientation) -> Page {
        match o {
            Orientation::Portrait => Page {
                width: A4_SHORT,
                height: A4_LONG,
                top: MM_20,
                bottom: MM_20,
                left: MM_30,
                right: MM_15,
            },
            Orientation::Landscape => Page {
                width: A4_LONG,
                height: A4_SHORT,
                top: MM_20,
                bottom: MM_20,
                left: MM_20,
                right: MM_15,
            },
        }
    }

    /// The width between the margins.
    fn text_width(&self) -> usize {
        (self.width as i32 - self.left - self.right) as usize
    }

    fn margin(&self) -> PageMargin {
        PageMargin::new()
            .top(self.top)
            .bottom(self.bottom)
            .left(self.left)
            .right(self.right)
            .header(MM_10)
            .footer(MM_10)
    }

    fn size(&self, o: Orientation) -> PageSize {
        PageSize::new()
            .size(self.width, self.height)
            .orient(orient(o))
    }
}

fn orient(o: Orientation) -> PageOrientationType {
    match o {
        Orientation::Portrait => PageOrientationType::Portrait,
        Orientation::Landscape => PageOrientationType::Landscape,
    }
}

/// Writes `layout` as the bytes of a `.docx` file.
pub fn write(layout: &Layout) -> Result<Vec<u8>> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut w = Writer { next_id: 1 };
    let mut docx = Docx::new()
        .default_fonts(fonts)
        .default_size(usize::from(super::BODY_PT) * 2);
    let mut orientation = Orientation::Portrait;
    let mut page = Page::of(orientation);
    for block in &layout.blocks {
        docx = match block {
            Block::Paragraph(p) => docx.add_paragraph(w.paragraph(p, PROSE_LINE)),
            Block::Header(c) | Block::Signature(c) => {
                docx.add_table(w.columns(c, page.text_width()))
            }
            Block::Table(t) => docx.add_table(w.table(t, page.text_width())),
            Block::NewPage(o) => {
                // A paragraph carrying a section's properties ends that section; the next
                // section starts on a new page.
                let end = w
                    .paragraph(&Paragraph::blank().size(2), 240)
                    .section_property(
                        SectionProperty::new()
                            .page_size(page.size(orientation))
                            .page_margin(page.margin())
                            .page_orient(orient(orientation)),
                    );
                orientation = *o;
                page = Page::of(orientation);
                docx.add_paragraph(end)
            }
        };
    }
    // A document body should end with a paragraph, not a table (Word repairs it otherwise).
    if !matches!(layout.blocks.last(), Some(Block::Paragraph(_)) | None) {
        docx = docx.add_paragraph(w.paragraph(&Paragraph::blank().size(2), 240));
    }
    // The last section's properties are the document's own.
    docx = docx
        .page_size(page.width, page.height)
        .page_margin(page.margin())
        .page_orient(orient(orientation));
    let mut out = Cursor::new(Vec::new());
    docx.pack(&mut out).map_err(std::io::Error::other)?;
    Ok(out.into_inner())
}

/// Numbers paragraphs (`w14:paraId`) so the same layout always gives the same bytes.
struct Writer {
    next_id: u32,
}

impl Writer {
    fn paragraph(&mut self, p: &Paragraph, line: i32) -> DocxParagraph {
        let half_points = usize::from(p.size_pt) * 2;
        let id = format!("{:08X}", self.next_id);
        self.next_id += 1;
        let mut out = DocxParagraph::new()
            .id(id)
            .align(match p.align {
                Align::Left => AlignmentType::Left,
                Align::Center => AlignmentType::Center,
                Align::Right => AlignmentType::Right,
                Align::Justify => AlignmentType::Both,
            })
            .size(half_points)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(line)
                    .before(u32::from(p.space_before_pt) * 20)
                    .after(0),
            );
        if p.first_line_indent {
            out = out.indent(
                None,
                Some(SpecialIndentType::FirstLine(FIRST_LINE_INDENT)),
                None,
                None,
            );
        }
        if p.keep_with_next {
            out = out.keep_next(true);
        }
        for s in &p.spans {
            let mut run = Run::new().add_text(&s.text).size(half_points);
            if s.bold {
                run = run.bold();
            }
            if s.italic {
                run = run.italic();
            }
            if s.underline {
                run = run.underline("single");
            }
            out = out.add_run(run);
        }
        out
    }

    fn columns(&mut self, c: &Columns, text_width: usize) -> DocxTable {
        let left = u16::from(c.left_percent.clamp(1, 99));
        let w = widths(&[left, 100 - left], text_width);
        let mut cells = Vec::new();
        for (paras, width) in [(&c.left, w[0]), (&c.right, w[1])] {
            let mut cell = TableCell::new().width(width, WidthType::Dxa);
            if paras.is_empty() {
                cell = cell.add_paragraph(self.paragraph(&Paragraph::blank(), 240));
            }
            for p in paras {
                cell = cell.add_paragraph(self.paragraph(p, 240));
            }
            cells.push(cell);
        }
        DocxTable::without_borders(vec![TableRow::new(cells)])
            .set_grid(w)
            .layout(TableLayoutType::Fixed)
            .width(text_width, WidthType::Dxa)
            .margins(TableCellMargins::new().margin(0, 0, 0, 0))
    }

    fn cell_para(&mut self, t: &Table, text: &str, align: Align, bold: bool) -> DocxParagraph {
        let mut p = Paragraph::new(text).size(t.size_pt).align(align);
        if bold {
            p = p.bold();
        }
        self.paragraph(&p, 240)
    }

    fn table(&mut self, t: &Table, text_width: usize) -> DocxTable {
        let weights: Vec<u16> = t.columns.iter().map(|c| c.width).collect();
        let w = widths(&weights, text_width);
        let mut heading = Vec::new();
        for (c, width) in t.columns.iter().zip(&w) {
            let p = self.cell_para(t, &c.heading, Align::Center, true);
            heading.push(
                TableCell::new()
                    .width(*width, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(p),
            );
        }
        let mut rows = vec![TableRow::new(heading).cant_split()];
        for r in &t.rows {
            let mut cells = Vec::new();
            for (i, (c, width)) in t.columns.iter().zip(&w).enumerate() {
                let mut cell = TableCell::new().width(*width, WidthType::Dxa);
                let lines = r.get(i).map(|c| c.lines.as_slice()).unwrap_or(&[]);
                if lines.is_empty() {
                    cell = cell.add_paragraph(self.cell_para(t, "", c.align, false));
                }
                for l in lines {
                    cell = cell.add_paragraph(self.cell_para(t, l, c.align, false));
                }
                cells.push(cell);
            }
            rows.push(TableRow::new(cells));
        }
        let mut borders = TableBorders::new();
        for pos in [
            TableBorderPosition::Top,
            TableBorderPosition::Left,
            TableBorderPosition::Bottom,
            TableBorderPosition::Right,
            TableBorderPosition::InsideH,
            TableBorderPosition::InsideV,
        ] {
            // Eighths of a point: ½ pt.
            borders = borders.set(TableBorder::new(pos).size(4));
        }
        DocxTable::new(rows)
            .set_grid(w)
            .layout(TableLayoutType::Fixed)
            .width(text_width, WidthType::Dxa)
            .set_borders(borders)
            .margins(TableCellMargins::new().margin(40, 57, 40, 57))
    }
}

/// Splits `total` twips by relative weights (the last column takes the rounding rest).
fn widths(weights: &[u16], total: usize) -> Vec<usize> {
    let sum: usize = weights
        .iter()
        .map(|w| usize::from(*w))
        .sum::<usize>()
        .max(1);
    let mut out: Vec<usize> = weights
        .iter()
        .map(|w| total * usize::from(*w) / sum)
        .collect();
    let used: usize = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += total - used;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Cell, Column};

    /// The text of the document part, read back from the zip.
    fn document_xml(bytes: &[u8]) -> String {
        let reader = docx_rs::read_docx(bytes).expect("docx-rs reads it back");
        reader.json()
    }

    #[test]
    fn test_widths_fill_the_text_width() {
        let total = Page::of(Orientation::Portrait).text_width();
        assert_eq!(total, 9_355, "210 mm less 30 + 15 mm");
        assert_eq!(Page::of(Orientation::Landscape).text_width(), 14_854);
        let w = widths(&[45, 75, 200, 120, 100, 100, 85, 100, 110, 65], total);
        assert_eq!(w.iter().sum::<usize>(), total);
        assert_eq!(w[0], total * 45 / 1000);
        assert_eq!(widths(&[1, 2], 10), [3, 7]);
    }

    #[test]
    fn test_a_layout_round_trips_through_a_docx_reader() {
        let layout = Layout {
            title: "t".into(),
            blocks: vec![
                Block::Header(Columns {
                    left: vec![Paragraph::new("CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN").bold()],
                    right: vec![Paragraph::new("ĐẢNG CỘNG SẢN VIỆT NAM").underline()],
                    left_percent: 45,
                }),
                Block::Paragraph(Paragraph::prose("Ứng dụng <chuyển đổi> số & \"vật tư\"")),
                Block::Table(Table {
                    columns: vec![
                        Column {
                            heading: "STT".into(),
                            width: 1,
                            align: Align::Center,
                        },
                        Column {
                            heading: "Tên chuyên đề".into(),
                            width: 4,
                            align: Align::Left,
                        },
                    ],
                    rows: vec![vec![
                        Cell::text("1"),
                        Cell::lines(["Quách Thị Ỷ", "Ông Thị Ngọc Ước"]),
                    ]],
                    size_pt: 11,
                }),
            ],
            unresolved: vec![],
        };
        let bytes = write(&layout).expect("writes");
        assert!(bytes.starts_with(b"PK"), "a zip archive");
        assert_eq!(write(&layout).expect("writes"), bytes, "deterministic");
        let json = document_xml(&bytes);
        for s in [
            "CHI BỘ PHÂN XƯỞNG CƠ ĐIỆN",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Ứng dụng <chuyển đổi> số & \\\"vật tư\\\"",
            "Tên chuyên đề",
            "Quách Thị Ỷ",
            "Ông Thị Ngọc Ước",
            FONT,
        ] {
            assert!(json.contains(s), "{s:?} missing");
        }
    }
}

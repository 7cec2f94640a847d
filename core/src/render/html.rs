//! A [`Layout`] as one self-contained HTML page: UTF-8, no scripts, no external files, a
//! stylesheet that prints on A4 with the same margins, fonts and page orientations as the
//! DOCX ([`super::docx`]), and a table's heading repeated on every printed page.
//!
//! Every piece of text is escaped ([`escape`]): plan content is typed by 40 members on their
//! phones and must never become markup.

use std::fmt::Write as _;

use super::{Align, Block, Columns, Layout, Orientation, Paragraph, Table};

const STYLE: &str = r#"@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm; }
@page wide { size: A4 landscape; margin: 20mm 15mm 20mm 20mm; }
html { background: #fff; }
body { font-family: "Times New Roman", Times, "Liberation Serif", Tinos, serif; font-size: 14pt;
  line-height: 1.15; color: #000; margin: 0; }
section { box-sizing: border-box; margin: 0 auto; }
section.portrait { max-width: 210mm; padding: 20mm 15mm 20mm 30mm; }
section.landscape { max-width: 297mm; padding: 20mm 15mm 20mm 20mm; page: wide; }
section + section { break-before: page; page-break-before: always; }
@media print { section.portrait, section.landscape { max-width: none; padding: 0; } }
p { margin: 0; }
.keep { break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.cols td { vertical-align: top; padding: 0; border: none; }
table.grid th, table.grid td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; }
table.grid th { vertical-align: middle; font-weight: bold; }
table.grid thead { display: table-header-group; }
table.grid tr { break-inside: avoid; page-break-inside: avoid; }
table.cols { break-inside: avoid; page-break-inside: avoid; }
"#;

/// Writes `layout` as a complete HTML document.
pub fn write(layout: &Layout) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&layout.title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>");
    // Each run of pages of one orientation is a <section> (CSS named pages print it on A4
    // landscape or portrait).
    out.push_str("<section class=\"portrait\">\n");
    for block in &layout.blocks {
        match block {
            Block::Paragraph(p) => paragraph(&mut out, p),
            Block::Header(c) => columns(&mut out, c, "header"),
            Block::Signature(c) => columns(&mut out, c, "signature"),
            Block::Table(t) => table(&mut out, t),
            Block::NewPage(o) => {
                let class = match o {
                    Orientation::Portrait => "portrait",
                    Orientation::Landscape => "landscape",
                };
                let _ = writeln!(out, "</section>\n<section class=\"{class}\">");
            }
        }
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn text_align(a: Align) -> &'static str {
    match a {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "justify",
    }
}

/// Styles are inline (not classes) so that importers with little CSS — LibreOffice, mail
/// clients — keep the alignment and sizes too.
fn paragraph(out: &mut String, p: &Paragraph) {
    let mut style = format!(
        "text-align:{};font-size:{}pt",
        text_align(p.align),
        p.size_pt
    );
    if p.space_before_pt > 0 {
        let _ = write!(style, ";margin-top:{}pt", p.space_before_pt);
    }
    if p.first_line_indent {
        style.push_str(";text-indent:10mm");
    }
    let class = if p.keep_with_next {
        " class=\"keep\""
    } else {
        ""
    };
    let _ = write!(out, "<p{class} style=\"{style}\">");
    if p.spans.iter().all(|s| s.text.is_empty()) {
        out.push_str("<br>");
    }
    for s in &p.spans {
        let mut open = String::new();
        let mut close = String::new();
        for (on, tag) in [(s.bold, "b"), (s.italic, "i"), (s.underline, "u")] {
            if on {
                let _ = write!(open, "<{tag}>");
                close.insert_str(0, &format!("</{tag}>"));
            }
        }
        let _ = write!(out, "{open}{}{close}", escape(&s.text));
    }
    out.push_str("</p>\n");
}

fn columns(out: &mut String, c: &Columns, class: &str) {
    let left = c.left_percent.clamp(1, 99);
    let _ = writeln!(
        out,
        "<table class=\"cols {class}\"><colgroup><col style=\"width:{left}%\"><col style=\"width:{}%\"></colgroup><tr>",
        100 - left
    );
    for side in [&c.left, &c.right] {
        out.push_str("<td>\n");
        for p in side {
            paragraph(out, p);
        }
        out.push_str("</td>\n");
    }
    out.push_str("</tr></table>\n");
}

fn table(out: &mut String, t: &Table) {
    let total: u32 = t
        .columns
        .iter()
        .map(|c| u32::from(c.width))
        .sum::<u32>()
        .max(1);
    let _ = writeln!(
        out,
        "<table class=\"grid\" style=\"font-size:{}pt\">",
        t.size_pt
    );
    out.push_str("<colgroup>");
    for c in &t.columns {
        let permille = u32::from(c.width) * 1000 / total;
        let _ = write!(
            out,
            "<col style=\"width:{}.{}%\">",
            permille / 10,
            permille % 10
        );
    }
    out.push_str("</colgroup>\n<thead><tr>");
    for c in &t.columns {
        let _ = write!(
            out,
            "<th style=\"text-align:center\">{}</th>",
            escape(&c.heading)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in t.columns.iter().enumerate() {
            let lines = r.get(i).map(|c| c.lines.as_slice()).unwrap_or(&[]);
            let body: Vec<String> = lines.iter().map(|l| escape(l)).collect();
            let _ = write!(
                out,
                "<td style=\"text-align:{}\">{}</td>",
                text_align(c.align),
                body.join("<br>")
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Cell, Column, Span};

    #[test]
    fn test_text_is_escaped_everywhere() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        let layout = Layout {
            title: "Kế hoạch <b>".into(),
            blocks: vec![
                Block::Paragraph(Paragraph::new("<img src=x onerror=alert(1)>")),
                Block::Table(Table {
                    columns: vec![Column {
                        heading: "A & B".into(),
                        width: 1,
                        align: Align::Left,
                    }],
                    rows: vec![vec![Cell::lines(["</td><td>", "Hoàng Đức Lượng"])]],
                    size_pt: 11,
                }),
                Block::Signature(Columns {
                    left: vec![],
                    right: vec![Paragraph::new("\"Đặng Quốc Việt\"")],
                    left_percent: 45,
                }),
            ],
            unresolved: vec![],
        };
        let html = write(&layout);
        assert!(html.contains("<title>Kế hoạch &lt;b&gt;</title>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
        assert!(html.contains("<th style=\"text-align:center\">A &amp; B</th>"));
        assert!(html.contains(
            "<td style=\"text-align:left\">&lt;/td&gt;&lt;td&gt;<br>Hoàng Đức Lượng</td>"
        ));
        assert!(html.contains("&quot;Đặng Quốc Việt&quot;"));
        assert_eq!(html.matches("<td").count(), 3, "one body cell, two columns");
    }

    #[test]
    fn test_page_is_utf8_a4_and_styles_spans() {
        let p = Paragraph {
            spans: vec![
                Span {
                    underline: true,
                    ..Span::plain("Nơi nhận")
                },
                Span::plain(":"),
            ],
            ..Paragraph::new("")
        }
        .size(12)
        .space_before(6);
        let html = write(&Layout {
            title: "t".into(),
            blocks: vec![
                Block::Paragraph(
                    Paragraph::new("KẾ HOẠCH")
                        .bold()
                        .italic()
                        .align(Align::Center),
                ),
                Block::Paragraph(p),
                Block::Paragraph(Paragraph::blank()),
            ],
            unresolved: vec![],
        });
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"vi\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("size: A4 portrait"));
        assert!(html.contains("\"Times New Roman\""));
        assert!(
            html.contains(
                "<p style=\"text-align:center;font-size:14pt\"><b><i>KẾ HOẠCH</i></b></p>"
            )
        );
        assert!(html.contains(
            "<p style=\"text-align:left;font-size:12pt;margin-top:6pt\"><u>Nơi nhận</u>:</p>"
        ));
        assert!(html.contains("<p style=\"text-align:left;font-size:14pt\"><br></p>"));
        let prose = write(&Layout {
            title: "t".into(),
            blocks: vec![Block::Paragraph(
                Paragraph::prose("Căn cứ").keep_with_next(),
            )],
            unresolved: vec![],
        });
        assert!(prose.contains(
            "<p class=\"keep\" style=\"text-align:justify;font-size:14pt;margin-top:6pt;text-indent:10mm\">Căn cứ</p>"
        ));
        assert!(html.ends_with("</section>\n</body>\n</html>\n"));
        assert_eq!(html.matches("<section").count(), 1);
    }

    #[test]
    fn test_new_pages_open_sections_of_their_orientation() {
        let html = write(&Layout {
            title: "t".into(),
            blocks: vec![
                Block::Paragraph(Paragraph::new("I")),
                Block::NewPage(Orientation::Landscape),
                Block::Paragraph(Paragraph::new("II")),
                Block::NewPage(Orientation::Portrait),
                Block::Paragraph(Paragraph::new("III")),
            ],
            unresolved: vec![],
        });
        let body = &html[html.find("<body>").expect("body")..];
        let at = |s: &str| body.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("<section class=\"portrait\">") < at(">I<"));
        assert!(at(">I<") < at("</section>\n<section class=\"landscape\">"));
        assert!(at("<section class=\"landscape\">") < at(">II<"));
        assert!(at(">II<") < at(">III<"));
        assert_eq!(body.matches("<section").count(), 3);
        assert_eq!(body.matches("</section>").count(), 3);
        assert!(html.contains("@page wide { size: A4 landscape;"));
    }
}

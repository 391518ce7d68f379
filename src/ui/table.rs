//! Tables for people. On a terminal they get borders and wrap to its width; in a pipe they are plain columns,
//! one row per line, so `grep` and `awk` still work. `--json` is the form for programs.

use comfy_table::{ContentArrangement, Table, presets};

/// Renders rows under headers.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    if super::stdout_is_terminal() {
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    table.set_header(headers.to_vec());
    for row in rows {
        table.add_row(row.clone());
    }
    let mut text = table.to_string();
    // The plain preset pads each line with a leading space; drop it so columns start at the margin.
    if !super::stdout_is_terminal() {
        text = text
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
            .collect::<Vec<_>>()
            .join("\n");
    }
    text
}

//! `--format json|yaml|table|csv`: how answers are printed.
//!
//! JSON is the answer as it came (indented, or one line with `--compact`;
//! one line per item with `--page-all`). YAML is the same data as YAML.
//! Tables and CSV have one row per item of a list (the method's page items,
//! else the answer's only list of objects, else the answer itself) and
//! columns from `--fields` (`files(id,name,owners/emailAddress)` gives `id`,
//! `name`, `owners/emailAddress`, nested paths through objects and lists),
//! else every key of the rows in first-seen order.

use std::fmt::Write as _;

use serde_json::Value;

use crate::error::CliError;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (the default).
    Json,
    /// YAML.
    Yaml,
    /// Aligned columns for people.
    Table,
    /// RFC 4180 CSV for spreadsheets and scripts.
    Csv,
}

/// The names `--format` takes.
pub const FORMATS: [&str; 4] = ["json", "yaml", "table", "csv"];

impl Format {
    /// From a `--format` value (checked by clap against [`FORMATS`]).
    pub fn parse(name: &str) -> Format {
        match name {
            "yaml" => Format::Yaml,
            "table" => Format::Table,
            "csv" => Format::Csv,
            _ => Format::Json,
        }
    }
}

/// Prints answers, pages and items in one format, keeping a table's or a
/// CSV's columns (and its header, printed once) across pages.
pub struct Printer {
    format: Format,
    compact: bool,
    /// `--fields` as paths (`files/id`), when given.
    mask: Option<Vec<String>>,
    /// The method's page items field (`files`), when it pages.
    items_field: Option<String>,
    columns: Option<Vec<String>>,
    /// Table rows, held until the end (their widths depend on all of them).
    table: Vec<Vec<String>>,
    /// Whether the CSV header is out.
    csv_header: bool,
}

impl Printer {
    /// A printer for `format`; `mask` is `--fields`, `items_field` the
    /// method's page items.
    pub fn new(
        format: Format,
        compact: bool,
        mask: Option<&str>,
        items_field: Option<String>,
    ) -> Self {
        Printer {
            format,
            compact,
            mask: mask.map(mask_paths),
            items_field,
            columns: None,
            table: Vec::new(),
            csv_header: false,
        }
    }

    /// One whole answer.
    ///
    /// # Errors
    /// Standard output closed or failing.
    pub fn answer(&mut self, value: &Value) -> Result<(), CliError> {
        match self.format {
            Format::Json if self.compact => crate::out::line(value),
            Format::Json => crate::out::line(
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
            ),
            Format::Yaml => crate::out::bytes(yaml(value).as_bytes()),
            Format::Table | Format::Csv => {
                let (field, rows) = self.rows_of(value);
                self.rows(field.as_deref(), &rows)?;
                self.finish()
            }
        }
    }

    /// Items of one page (`--page-all`): JSON lines, YAML list entries, or
    /// rows.
    ///
    /// # Errors
    /// As [`answer`](Self::answer).
    pub fn items(&mut self, items: &[&Value]) -> Result<(), CliError> {
        match self.format {
            Format::Json => {
                for item in items {
                    crate::out::line(item)?;
                }
                Ok(())
            }
            Format::Yaml => {
                for item in items {
                    crate::out::bytes(yaml_list_entry(item).as_bytes())?;
                }
                Ok(())
            }
            Format::Table | Format::Csv => {
                let field = self.items_field.clone();
                self.rows(field.as_deref(), items)
            }
        }
    }

    /// Prints what is held (a table's rows).
    ///
    /// # Errors
    /// As [`answer`](Self::answer).
    pub fn finish(&mut self) -> Result<(), CliError> {
        if self.format == Format::Table && self.columns.is_some() {
            let mut rows = std::mem::take(&mut self.table);
            let header: Vec<String> = self
                .columns
                .iter()
                .flatten()
                .map(|c| c.to_uppercase())
                .collect();
            rows.insert(0, header);
            crate::out::bytes(aligned(&rows).as_bytes())?;
        }
        Ok(())
    }

    /// The rows of a single answer and the field they came from.
    fn rows_of<'v>(&self, value: &'v Value) -> (Option<String>, Vec<&'v Value>) {
        let list = |field: &str| value.get(field).and_then(Value::as_array);
        if let Some(field) = &self.items_field {
            if let Some(items) = list(field) {
                return (Some(field.clone()), items.iter().collect());
            }
        }
        // The answer's only list of objects (`items`, `rows`, `models`).
        let lists: Vec<(&String, &Vec<Value>)> = value
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| v.as_array().map(|a| (k, a)))
            .filter(|(_, a)| a.iter().all(Value::is_object))
            .collect();
        match lists.as_slice() {
            [(field, items)] => (Some((*field).clone()), items.iter().collect()),
            _ => (None, vec![value]),
        }
    }

    /// Adds rows (items of `field`, or whole answers when `None`).
    fn rows(&mut self, field: Option<&str>, rows: &[&Value]) -> Result<(), CliError> {
        let columns = self
            .columns
            .get_or_insert_with(|| columns_for(self.mask.as_deref(), field, rows))
            .clone();
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| columns.iter().map(|c| cell(lookup(row, c))).collect())
            .collect();
        match self.format {
            Format::Csv => {
                // A page at a time, so long walks show progress; the header
                // once.
                let failed = |e: csv::Error| CliError::Io(format!("writing CSV: {e}"));
                let mut writer = csv::Writer::from_writer(Vec::new());
                if !self.csv_header {
                    writer.write_record(&columns).map_err(failed)?;
                    self.csv_header = true;
                }
                for row in cells {
                    writer.write_record(&row).map_err(failed)?;
                }
                let data = writer
                    .into_inner()
                    .map_err(|e| CliError::Io(format!("writing CSV: {e}")))?;
                crate::out::bytes(&data)
            }
            _ => {
                self.table.extend(cells);
                Ok(())
            }
        }
    }
}

/// The columns: the mask's paths under `field` (or all of them when the
/// rows are whole answers), else the rows' keys in first-seen order.
fn columns_for(mask: Option<&[String]>, field: Option<&str>, rows: &[&Value]) -> Vec<String> {
    if let Some(mask) = mask {
        let columns: Vec<String> = match field {
            Some(field) => mask
                .iter()
                .filter_map(|p| p.strip_prefix(field)?.strip_prefix('/'))
                .map(str::to_string)
                .collect(),
            None => mask.to_vec(),
        };
        if !columns.is_empty() {
            return columns;
        }
    }
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        for key in row.as_object().into_iter().flat_map(|o| o.keys()) {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns
}

/// A field mask as paths: `a,b(c,d/e)` → `a`, `b/c`, `b/d/e`.
pub fn mask_paths(mask: &str) -> Vec<String> {
    fn walk(
        chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
        prefix: &str,
        out: &mut Vec<String>,
    ) {
        let mut current = String::new();
        while let Some(c) = chars.next() {
            match c {
                ',' => {
                    if !current.trim().is_empty() {
                        out.push(format!("{prefix}{}", current.trim()));
                    }
                    current.clear();
                }
                '(' => {
                    let inner = format!("{prefix}{}/", current.trim());
                    walk(chars, &inner, out);
                    current.clear();
                    // What follows `)` is a separator or the end.
                    if chars.peek() == Some(&',') {
                        chars.next();
                    }
                }
                ')' => break,
                c => current.push(c),
            }
        }
        if !current.trim().is_empty() {
            out.push(format!("{prefix}{}", current.trim()));
        }
    }
    let mut out = Vec::new();
    walk(&mut mask.chars().peekable(), "", &mut out);
    out
}

/// The value at `path` (`owners/emailAddress` or `owners.emailAddress`),
/// through objects and, element by element, lists.
fn lookup(value: &Value, path: &str) -> Value {
    let mut current = vec![value.clone()];
    for key in path.split(['/', '.']).filter(|k| !k.is_empty()) {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Array(items) => {
                    next.extend(items.iter().filter_map(|i| i.get(key)).cloned());
                }
                other => next.extend(other.get(key).cloned()),
            }
        }
        current = next;
    }
    match current.len() {
        0 => Value::Null,
        1 => current.swap_remove(0),
        _ => Value::Array(current),
    }
}

/// A cell's text: strings as they are, lists of scalars joined by commas,
/// other structures as compact JSON, nothing for null.
fn cell(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.into_iter().map(cell).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// Rows as columns padded to their widest cell (at most 60 characters, cut
/// with `…`), two spaces apart.
fn aligned(rows: &[Vec<String>]) -> String {
    const MAX: usize = 60;
    let clip = |s: &str| -> String {
        let one_line = s.replace(['\n', '\r', '\t'], " ");
        if one_line.chars().count() > MAX {
            one_line.chars().take(MAX - 1).chain(['…']).collect()
        } else {
            one_line
        }
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clip(c)).collect())
        .collect();
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &cells {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A YAML document of `value` (block style; strings quoted only where
/// YAML would read them as something else).
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(o) if !o.is_empty() => write_block(value, 0, &mut out),
        Value::Array(a) if !a.is_empty() => write_block(value, 0, &mut out),
        scalar => {
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    }
    out
}

/// `value` as one entry of a top-level YAML list (`- …`).
fn yaml_list_entry(value: &Value) -> String {
    yaml(&Value::Array(vec![value.clone()]))
}

fn write_block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                let _ = write!(out, "{pad}{}:", yaml_string(k));
                write_child(v, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(o) if !o.is_empty() => {
                        // `- first: …` then the other keys under it.
                        let mut block = String::new();
                        write_block(item, indent + 2, &mut block);
                        let _ = write!(out, "{pad}- {}", &block[indent + 2..]);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let _ = writeln!(out, "{pad}-");
                        write_block(item, indent + 2, out);
                    }
                    scalar => {
                        let _ = writeln!(out, "{pad}- {}", yaml_scalar(scalar));
                    }
                }
            }
        }
        scalar => {
            let _ = writeln!(out, "{pad}{}", yaml_scalar(scalar));
        }
    }
}

fn write_child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            out.push('\n');
            write_block(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_block(v, indent + 2, out);
        }
        scalar => {
            let _ = writeln!(out, " {}", yaml_scalar(scalar));
        }
    }
}

fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => yaml_string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// A string plain when YAML reads it back as the same string, else
/// double-quoted (JSON's escapes are YAML's).
fn yaml_string(s: &str) -> String {
    let reserved = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    let plain = !reserved.contains(&s.to_ascii_lowercase().as_str())
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ', '.', '+', '=', '<',
        ])
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control() || c == '\u{feff}')
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        Value::String(s.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_become_paths() {
        assert_eq!(
            mask_paths("nextPageToken,files(id,name,owners/emailAddress),kind"),
            [
                "nextPageToken",
                "files/id",
                "files/name",
                "files/owners/emailAddress",
                "kind"
            ]
        );
        assert_eq!(mask_paths("a(b(c,d),e)"), ["a/b/c", "a/b/d", "a/e"]);
    }

    #[test]
    fn lookups_walk_lists() {
        let v: Value = serde_json::json!({"owners": [{"e": "a"}, {"e": "b"}], "n": {"m": 1}});
        assert_eq!(cell(lookup(&v, "owners/e")), "a,b");
        assert_eq!(cell(lookup(&v, "n.m")), "1");
        assert_eq!(cell(lookup(&v, "missing")), "");
    }

    #[test]
    fn yaml_quotes_what_would_change() {
        assert_eq!(yaml_string("plain text"), "plain text");
        for s in [
            "", "true", "No", "12", "1e3", "-x", "a: b", "#c", "x\ny", " lead",
        ] {
            assert!(yaml_string(s).starts_with('"'), "{s:?}");
        }
        let v = serde_json::json!({"a": [1, {"b": "c", "d": []}], "e": {}});
        assert_eq!(yaml(&v), "a:\n  - 1\n  - b: c\n    d: []\ne: {}\n");
    }
}

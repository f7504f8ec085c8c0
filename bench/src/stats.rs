//! Medians and spreads, and the markdown the report is made of.

use std::fmt::Write as _;

/// Repeated measurements of one quantity.
#[derive(Debug, Clone, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    }

    /// The median (the upper one for an even count); NaN when empty.
    pub fn median(&self) -> f64 {
        let v = self.sorted();
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }

    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    /// `median (min–max)` with `decimals` places.
    pub fn show(&self, decimals: usize) -> String {
        if self.0.len() == 1 {
            return format!("{:.*}", decimals, self.median());
        }
        format!(
            "{:.*} ({:.*}–{:.*})",
            decimals,
            self.median(),
            decimals,
            self.min(),
            decimals,
            self.max()
        )
    }
}

/// A markdown table.
#[derive(Debug)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns` starting with `>` are right-aligned (numbers).
    pub fn new(columns: &[&str]) -> Self {
        Table {
            header: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let names: Vec<&str> = self
            .header
            .iter()
            .map(|h| h.trim_start_matches('>'))
            .collect();
        let _ = writeln!(out, "| {} |", names.join(" | "));
        let align: Vec<&str> = self
            .header
            .iter()
            .map(|h| if h.starts_with('>') { "---:" } else { "---" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for r in &self.rows {
            let _ = writeln!(out, "| {} |", r.join(" | "));
        }
        out
    }
}

/// One of the goals and how this run did against it.
#[derive(Debug, Clone)]
pub struct Goal {
    pub goal: String,
    pub result: String,
    pub met: bool,
}

impl Goal {
    pub fn new(goal: impl Into<String>, result: impl Into<String>, met: bool) -> Self {
        Goal {
            goal: goal.into(),
            result: result.into(),
            met,
        }
    }
}

/// What a section contributes to the report.
#[derive(Debug, Default)]
pub struct Section {
    pub markdown: String,
    pub goals: Vec<Goal>,
}

/// Bytes as MiB, or KiB below one MiB.
pub fn mib(bytes: f64) -> String {
    if bytes < 1024.0 * 1024.0 {
        format!("{:.0} KiB", bytes / 1024.0)
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}

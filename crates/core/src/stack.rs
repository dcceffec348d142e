//! The client stacks pgtls can judge a connection for (libpq, pgJDBC, node-postgres …) and
//! the style a user picks for one (`--client jdbc:ssl-true`). Only names live here, so the
//! client profile can carry the choice without depending on the models in
//! `crate::verify::clients`.

use serde::{Deserialize, Serialize};

/// A client stack pgtls models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stack {
    Libpq,
    Jdbc,
    Node,
    Psycopg,
    Asyncpg,
    Pgx,
    Npgsql,
    Rustls,
    Kong,
}

impl Stack {
    pub const ALL: [Stack; 9] = [
        Stack::Libpq,
        Stack::Jdbc,
        Stack::Node,
        Stack::Psycopg,
        Stack::Asyncpg,
        Stack::Pgx,
        Stack::Npgsql,
        Stack::Rustls,
        Stack::Kong,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stack::Libpq => "libpq",
            Stack::Jdbc => "jdbc",
            Stack::Node => "node",
            Stack::Psycopg => "psycopg",
            Stack::Asyncpg => "asyncpg",
            Stack::Pgx => "pgx",
            Stack::Npgsql => "npgsql",
            Stack::Rustls => "rustls",
            Stack::Kong => "kong",
        }
    }

    pub fn parse(s: &str) -> Option<Stack> {
        Stack::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

}

impl std::fmt::Display for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stack the user names (`--client jdbc`, `--client node:config`), with its style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackChoice {
    pub stack: Stack,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// The variants each stack knows (the first is its default).
pub fn variants(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Jdbc => &["sslmode", "ssl-true", "nonvalidating", "default-factory"],
        Stack::Node => &["connstring", "connstring-libpqcompat", "config"],
        Stack::Asyncpg => &["dsn", "context"],
        Stack::Kong => &["verify", "no-verify"],
        _ => &[],
    }
}

impl StackChoice {
    /// `STACK` or `STACK:VARIANT`; `Err` names what is accepted.
    pub fn parse(s: &str) -> Result<StackChoice, String> {
        let (name, variant) = match s.split_once(':') {
            Some((n, v)) => (n, Some(v.trim().to_string())),
            None => (s, None),
        };
        let known = || Stack::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
        let stack = Stack::parse(name).ok_or_else(|| format!("unknown client stack {name:?}: use one of {}, or all", known()))?;
        if let Some(v) = &variant {
            if !variants(stack).contains(&v.as_str()) {
                return Err(match variants(stack) {
                    [] => format!("client stack {stack} has no variants (got {v:?})"),
                    vs => format!("unknown variant {v:?} for {stack}: use one of {}", vs.join(", ")),
                });
            }
        }
        Ok(StackChoice { stack, variant })
    }

    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}:{v}", self.stack),
            None => self.stack.to_string(),
        }
    }
}


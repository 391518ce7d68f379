//! Turning audit records into the rows `gate audit` shows: one row per request, with its decision and exit,
//! filtered the way a reviewer asks ("what did bob export since Monday?"). Pure: records come in as values.

use jiff::Timestamp;
use serde_json::Value;

use crate::classify::Kind;
use crate::policy::Decision;

/// What to show. Every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub user: Option<String>,
    pub decision: Option<Decision>,
    pub kind: Option<Kind>,
    /// A request id or any prefix of one.
    pub id: Option<String>,
    /// Only the last N rows.
    pub limit: Option<usize>,
}

/// One request's story.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub time: String,
    pub id: String,
    pub user: String,
    pub decision: String,
    pub kinds: String,
    pub command: String,
    pub exit: String,
    pub records: Vec<Value>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Row {
    fn new(first: &Value, id: String) -> Self {
        Row {
            time: text(first, "time").unwrap_or_default(),
            id,
            user: "-".into(),
            decision: "-".into(),
            kinds: "-".into(),
            command: "-".into(),
            exit: "-".into(),
            records: Vec::new(),
        }
    }

    fn absorb(&mut self, record: &Value) {
        match record.get("event").and_then(Value::as_str) {
            Some("requested") => {
                let user = text(record, "user").unwrap_or_default();
                self.user = match text(record, "agent") {
                    Some(agent) => format!("{user} (agent {agent})"),
                    None => user,
                };
                self.command = text(record, "command").unwrap_or_default();
                if let Some(kinds) = record.get("kinds").and_then(Value::as_array) {
                    self.kinds = kinds
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(",");
                }
            }
            Some("decided") => self.decision = text(record, "decision").unwrap_or_default(),
            Some("exited") => {
                self.exit = match (
                    record.get("status").and_then(Value::as_i64),
                    record.get("signal").and_then(Value::as_i64),
                ) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(sig)) => format!("signal {sig}"),
                    _ => "-".into(),
                };
            }
            Some("error") => {
                self.exit = record
                    .get("exit")
                    .and_then(Value::as_u64)
                    .map_or_else(|| "error".into(), |e| format!("{e} (gate)"));
                if self.decision == "-" {
                    self.decision = "error".into();
                }
            }
            Some("cancelled") => self.decision = "cancelled".into(),
            Some("expired") => self.decision = "expired".into(),
            Some("sealed") => self.command = "(a torn line, sealed)".into(),
            _ => {}
        }
        self.records.push(record.clone());
    }

    fn keep(&self, filter: &Filter) -> bool {
        let time: Option<Timestamp> = self.time.parse().ok();
        filter.since.is_none_or(|s| time.is_some_and(|t| t >= s))
            && filter.until.is_none_or(|u| time.is_some_and(|t| t <= u))
            && filter.user.as_ref().is_none_or(|u| {
                self.records.iter().any(|r| {
                    text(r, "user").as_deref() == Some(u) || text(r, "agent").as_deref() == Some(u)
                })
            })
            && filter.decision.is_none_or(|d| self.decision == d.as_str())
            && filter
                .kind
                .is_none_or(|k| self.kinds.split(',').any(|x| x == k.as_str()))
            && filter
                .id
                .as_ref()
                .is_none_or(|p| self.id.starts_with(p.as_str()))
    }
}

/// Groups records into one row per request id, in order of first appearance, and applies the filter.
pub fn rows(records: &[Value], filter: &Filter) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records {
        match text(record, "id") {
            Some(id) => {
                let at = *index.entry(id.clone()).or_insert_with(|| {
                    rows.push(Row::new(record, id));
                    rows.len() - 1
                });
                rows[at].absorb(record);
            }
            None => {
                let mut row = Row::new(record, "-".into());
                row.absorb(record);
                rows.push(row);
            }
        }
    }
    rows.retain(|r| r.keep(filter));
    if let Some(limit) = filter.limit
        && rows.len() > limit
    {
        rows.drain(..rows.len() - limit);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records() -> Vec<Value> {
        vec![
            json!({"event":"requested","id":"01A","user":"alice","command":"pg_dump app","kinds":["data_export"],"time":"2026-11-20T10:00:00.000Z"}),
            json!({"event":"requested","id":"01B","user":"bob","agent":"claude","command":"psql -c 'SELECT 1'","kinds":["read"],"time":"2026-11-22T10:00:00.000Z"}),
            json!({"event":"decided","id":"01A","decision":"deny","time":"2026-11-20T10:00:00.000Z"}),
            json!({"event":"decided","id":"01B","decision":"allow","time":"2026-11-22T10:00:00.000Z"}),
            json!({"event":"exited","id":"01B","status":0,"time":"2026-11-22T10:00:01.000Z"}),
        ]
    }

    #[test]
    fn one_row_per_request_with_its_outcome() {
        let r = rows(&records(), &Filter::default());
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].id.as_str(), r[0].decision.as_str(), r[0].exit.as_str()),
            ("01A", "deny", "-")
        );
        assert_eq!(
            (
                r[1].user.as_str(),
                r[1].decision.as_str(),
                r[1].exit.as_str()
            ),
            ("bob (agent claude)", "allow", "0")
        );
        assert_eq!(r[1].records.len(), 3);
    }

    #[test]
    fn filters() {
        let all = records();
        let f = |filter: Filter| {
            rows(&all, &filter)
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            f(Filter {
                user: Some("alice".into()),
                ..Filter::default()
            }),
            ["01A"]
        );
        assert_eq!(
            f(Filter {
                user: Some("claude".into()),
                ..Filter::default()
            }),
            ["01B"]
        );
        assert_eq!(
            f(Filter {
                decision: Some(Decision::Allow),
                ..Filter::default()
            }),
            ["01B"]
        );
        assert_eq!(
            f(Filter {
                kind: Some(Kind::DataExport),
                ..Filter::default()
            }),
            ["01A"]
        );
        assert_eq!(
            f(Filter {
                id: Some("01B".into()),
                ..Filter::default()
            }),
            ["01B"]
        );
        assert_eq!(
            f(Filter {
                since: Some("2026-11-21T00:00:00Z".parse().unwrap()),
                ..Filter::default()
            }),
            ["01B"]
        );
        assert_eq!(
            f(Filter {
                until: Some("2026-11-21T00:00:00Z".parse().unwrap()),
                ..Filter::default()
            }),
            ["01A"]
        );
        assert_eq!(
            f(Filter {
                limit: Some(1),
                ..Filter::default()
            }),
            ["01B"]
        );
    }
}

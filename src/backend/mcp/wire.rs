//! JSON-RPC envelopes and the two response bodies of MCP streamable HTTP: one JSON document,
//! or a `text/event-stream` of JSON-RPC messages.

use rmcp::model::ErrorData;
use serde::Deserialize;
use serde_json::Value;

/// Any JSON-RPC message a server sends: a response, an error, a notification or a request.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub params: Option<Value>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<ErrorData>,
}

/// An incremental `text/event-stream` parser: feed bytes, take complete events' data.
#[derive(Default)]
pub struct SseParser {
    buf: Vec<u8>,
    data: Vec<String>,
}

impl SseParser {
    /// Feed a chunk; returns the data of every event completed by it.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(chunk);
        let mut events = vec![];
        while let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(d) = line.strip_prefix("data:") {
                self.data.push(d.strip_prefix(' ').unwrap_or(d).to_string());
            }
            // `event:`, `id:`, `retry:` and comments carry nothing the client needs.
        }
        events
    }

    /// The last event, if the stream ended without a blank line.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        if !rest.is_empty() {
            let _ = self.feed(b"\n");
            let line = String::from_utf8_lossy(&rest).trim().to_string();
            if let Some(d) = line.strip_prefix("data:") {
                self.data.push(d.trim_start().to_string());
            }
        }
        (!self.data.is_empty()).then(|| std::mem::take(&mut self.data).join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: message\ndata: {\"a\"").is_empty());
        let ev = p.feed(b":1}\n\ndata: x\r\ndata: y\r\n\r\n: comment\n");
        assert_eq!(ev, vec!["{\"a\":1}".to_string(), "x\ny".to_string()]);
        assert!(p.feed(b"data: tail").is_empty());
        assert_eq!(p.finish().as_deref(), Some("tail"));
    }

    #[test]
    fn envelopes_of_every_kind_parse() {
        let r: Envelope =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":3,"result":{"x":1}}"#).expect("response");
        assert_eq!(r.id, Some(Value::from(3)));
        let e: Envelope = serde_json::from_str(
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}"#,
        )
        .expect("error");
        assert_eq!(
            e.error.map(|e| e.message.to_string()).as_deref(),
            Some("bad")
        );
        let n: Envelope = serde_json::from_str(
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}}"#,
        )
        .expect("notification");
        assert_eq!(n.method.as_deref(), Some("notifications/progress"));
    }
}

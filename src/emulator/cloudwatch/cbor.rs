//! CBOR documents as Smithy RPC v2 uses them: maps with text keys, indefinite-length
//! containers (the Rust SDK writes them), and timestamps as tag 1 over epoch seconds.

use minicbor::data::{IanaTag, Tag, Type};
use minicbor::{Decoder, Encoder};

/// Deeper nesting than any CloudWatch shape is refused rather than recursed into.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// Members in wire order.
    Map(Vec<(String, Value)>),
    /// Tag 1: epoch seconds.
    Time(f64),
}

/// Decode one document; trailing bytes are an error, as the SDK treats them.
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut d = Decoder::new(bytes);
    let v = read(&mut d, 0)?;
    if d.position() != bytes.len() {
        return Err(format!("trailing bytes after position {}", d.position()));
    }
    Ok(v)
}

fn read(d: &mut Decoder<'_>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("document nested too deeply".into());
    }
    let e = |e: minicbor::decode::Error| e.to_string();
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => Value::Bool(d.bool().map_err(e)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(e)?;
            Value::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::Int(i128::from(d.u64().map_err(e)?)),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
            Value::Int(i128::from(d.int().map_err(e)?))
        }
        Type::F16 | Type::F32 | Type::F64 => Value::Float(d.f64().map_err(e)?),
        Type::String => Value::Text(d.str().map_err(e)?.to_string()),
        Type::StringIndef => {
            let mut s = String::new();
            for part in d.str_iter().map_err(e)? {
                s.push_str(part.map_err(e)?);
            }
            Value::Text(s)
        }
        Type::Bytes => Value::Bytes(d.bytes().map_err(e)?.to_vec()),
        Type::BytesIndef => {
            let mut b = Vec::new();
            for part in d.bytes_iter().map_err(e)? {
                b.extend_from_slice(part.map_err(e)?);
            }
            Value::Bytes(b)
        }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(e)?;
            let mut items = Vec::new();
            each(d, len, |d| {
                items.push(read(d, depth + 1)?);
                Ok(())
            })?;
            Value::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(e)?;
            let mut members = Vec::new();
            each(d, len, |d| {
                let Value::Text(k) = read(d, depth + 1)? else {
                    return Err("map keys must be text".into());
                };
                members.push((k, read(d, depth + 1)?));
                Ok(())
            })?;
            Value::Map(members)
        }
        Type::Tag => {
            let tag = d.tag().map_err(e)?;
            let inner = read(d, depth + 1)?;
            if tag == Tag::from(IanaTag::Timestamp) {
                match inner {
                    Value::Int(i) => Value::Time(i as f64),
                    Value::Float(f) => Value::Time(f),
                    _ => return Err("a timestamp must be a number".into()),
                }
            } else {
                // Other tags carry no meaning in CloudWatch shapes: the value is what counts.
                inner
            }
        }
        other => return Err(format!("unexpected CBOR item: {other}")),
    })
}

/// Visit the items of a definite (`Some(n)`) or indefinite (`None`) container.
fn each(
    d: &mut Decoder<'_>,
    len: Option<u64>,
    mut f: impl FnMut(&mut Decoder<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let e = |e: minicbor::decode::Error| e.to_string();
    match len {
        Some(n) => {
            for _ in 0..n {
                f(d)?;
            }
        }
        None => loop {
            if d.datatype().map_err(e)? == Type::Break {
                d.skip().map_err(e)?;
                break;
            }
            f(d)?;
        },
    }
    Ok(())
}

/// Encode a document (definite lengths; timestamps as tag 1 over a double, as the SDK does).
pub fn encode(v: &Value) -> Vec<u8> {
    let mut enc = Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = write(&mut enc, v);
    enc.into_writer()
}

type EncResult = Result<(), minicbor::encode::Error<std::convert::Infallible>>;

fn write(enc: &mut Encoder<Vec<u8>>, v: &Value) -> EncResult {
    match v {
        Value::Null => {
            enc.null()?;
        }
        Value::Bool(b) => {
            enc.bool(*b)?;
        }
        Value::Int(i) => {
            enc.i128(*i)?;
        }
        Value::Float(f) => {
            enc.f64(*f)?;
        }
        Value::Text(s) => {
            enc.str(s)?;
        }
        Value::Bytes(b) => {
            enc.bytes(b)?;
        }
        Value::Array(items) => {
            enc.array(items.len() as u64)?;
            for i in items {
                write(enc, i)?;
            }
        }
        Value::Map(members) => {
            enc.map(members.len() as u64)?;
            for (k, v) in members {
                enc.str(k)?;
                write(enc, v)?;
            }
        }
        Value::Time(t) => {
            enc.tag(IanaTag::Timestamp)?.f64(*t)?;
        }
    }
    Ok(())
}

impl Value {
    /// A member of a map (None for anything else, or when absent or null).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| **v != Value::Null),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => i64::try_from(*i).ok(),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Epoch seconds of a timestamp (a bare number is accepted too).
    pub fn as_time(&self) -> Option<f64> {
        match self {
            Value::Time(t) => Some(*t),
            other => other.as_f64(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i128::from(i))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(items)
    }
}

/// A map under construction: `Obj::default().with("Id", id).opt("Label", label).into()`.
#[derive(Debug, Default)]
pub struct Obj(Vec<(String, Value)>);

impl Obj {
    pub fn with(mut self, key: &str, v: impl Into<Value>) -> Self {
        self.0.push((key.to_string(), v.into()));
        self
    }

    pub fn opt<V: Into<Value>>(self, key: &str, v: Option<V>) -> Self {
        match v {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Self {
        Value::Map(o.0)
    }
}

/// A list of text values.
pub fn texts<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(s.as_ref())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_indefinite_containers_and_timestamps() {
        let v: Value = Obj::default()
            .with("Id", "m1")
            .with("Values", vec![Value::from(1.5), Value::from(2i64)])
            .with("At", Value::Time(1_700_000_000.25))
            .into();
        assert_eq!(decode(&encode(&v)), Ok(v));

        // What the SDK writes: an indefinite map, a tag-1 double, an indefinite string.
        let mut enc = Encoder::new(Vec::new());
        enc.begin_map().expect("w");
        enc.str("StartTime").expect("w");
        enc.tag(IanaTag::Timestamp)
            .expect("w")
            .f64(60.0)
            .expect("w");
        enc.str("Name").expect("w");
        enc.begin_str()
            .expect("w")
            .str("ab")
            .expect("w")
            .str("c")
            .expect("w");
        enc.end().expect("w");
        enc.end().expect("w");
        let doc = decode(&enc.into_writer()).expect("decode");
        assert_eq!(doc.get("StartTime").and_then(Value::as_time), Some(60.0));
        assert_eq!(doc.get("Name").and_then(Value::as_str), Some("abc"));
    }

    #[test]
    fn refuses_garbage_and_trailing_bytes() {
        assert!(decode(&[0xa1, 0x01, 0x02]).is_err(), "integer key");
        assert!(decode(&[0xa0, 0x00]).is_err(), "trailing byte");
        assert!(decode(&[0xbf]).is_err(), "unterminated map");
        let deep = vec![0x81; 100];
        assert!(decode(&deep).is_err(), "too deep");
    }
}

//! The awsJson1_0 face of the same operations (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`):
//! botocore lists `json` before `smithy-rpc-v2-cbor` in its protocol preference, so boto3 and
//! the AWS CLI speak JSON to CloudWatch. Documents map one to one onto the CBOR ones;
//! timestamps are epoch seconds.

use base64::Engine;
use serde_json::{Map, Number};

use super::cbor::Value;

pub const TARGET_PREFIX: &str = "GraniteServiceVersion20100801.";

pub fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i128::from(i)),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Text(s),
        serde_json::Value::Array(items) => Value::Array(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

pub fn to_json(v: &Value) -> serde_json::Value {
    let float =
        |f: f64| Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number);
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => i64::try_from(*i).map_or_else(
            |_| float(*i as f64),
            |i| serde_json::Value::Number(i.into()),
        ),
        Value::Float(f) | Value::Time(f) => float(*f),
        Value::Text(s) => serde_json::Value::String(s.clone()),
        Value::Bytes(b) => {
            serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_map_both_ways() {
        let j = serde_json::json!({"Namespace": "A", "Values": [1, 2.5], "Flag": true});
        let v = from_json(j.clone());
        assert_eq!(
            v.get("Values").and_then(Value::as_list).map(<[Value]>::len),
            Some(2)
        );
        assert_eq!(to_json(&v), j);
        assert_eq!(to_json(&Value::Time(1.5)), serde_json::json!(1.5));
    }
}

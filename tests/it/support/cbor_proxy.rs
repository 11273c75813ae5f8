//! A loopback proxy that lets the stock aws-sdk-cloudwatch (Smithy RPC v2 CBOR only) talk to
//! moto, which answers CloudWatch in awsJson1_0 on `/` only: each
//! `POST /service/GraniteServiceVersion20100801/operation/<Op>` with a CBOR body becomes
//! `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>` and the same document in
//! JSON (timestamps as epoch seconds), and moto's JSON answer (or `__type` error) goes back as
//! CBOR, timestamps found by member name. The SigV4 headers are passed on unchanged: moto
//! routes by the credential scope and does not check the signature over the changed body.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use minicbor::data::{IanaTag, Tag, Type};
use minicbor::{Decoder, Encoder};
use serde_json::{Map, Value as Json};

const PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
/// Output members that are timestamps in the shapes these tests read.
const TIMESTAMPS: [&str; 5] = [
    "AlarmConfigurationUpdatedTimestamp",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "Timestamp",
    "Timestamps",
];

/// Start the proxy in front of `upstream` (moto's `http://127.0.0.1:PORT`); its URL.
pub async fn start(upstream: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the CBOR proxy");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream.to_string();
    let client: Client<_, Body> = Client::builder(TokioExecutor::new()).build_http();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, client) = (upstream.clone(), client.clone());
        async move { translate(req, &upstream, &client).await }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Body>;

async fn translate(req: Request<Body>, upstream: &str, client: &Http) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let Some(op) = parts.uri.path().strip_prefix(PREFIX).map(str::to_string) else {
        return reply(
            400,
            "UnknownOperation",
            "the CBOR proxy serves CloudWatch only",
        );
    };
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .expect("request body");
    let doc = if bytes.is_empty() {
        Json::Object(Map::new())
    } else {
        decode(&bytes).unwrap_or_else(|e| panic!("the SDK sent CBOR we cannot read: {e}"))
    };
    let mut out = Request::post(format!("{upstream}/"))
        .header("content-type", "application/x-amz-json-1.0")
        .header(
            "x-amz-target",
            format!("GraniteServiceVersion20100801.{op}"),
        );
    for name in ["authorization", "x-amz-date", "x-amz-security-token"] {
        if let Some(v) = parts.headers.get(name) {
            out = out.header(name, v);
        }
    }
    let out = out
        .body(Body::from(doc.to_string()))
        .expect("request to moto");
    let resp = match client.request(out).await {
        Ok(r) => r,
        Err(e) => return reply(502, "ProxyError", &format!("moto did not answer: {e}")),
    };
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(Body::new(resp.into_body()), 16 << 20)
        .await
        .expect("moto body");
    let json: Json = if bytes.iter().all(u8::is_ascii_whitespace) {
        Json::Object(Map::new())
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(j) => j,
            // moto's HTML 500 for what it does not implement: keep its text in the message.
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>();
                return reply(status, "MotoNotJson", &text);
            }
        }
    };
    let json = match json {
        // awsJson errors name the code in `__type`, maybe as `namespace#Code`.
        Json::Object(mut m) if status >= 400 => {
            let code = m
                .remove("__type")
                .and_then(|t| {
                    t.as_str()
                        .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
                })
                .unwrap_or_else(|| "UnknownError".into());
            let message = m
                .remove("message")
                .or_else(|| m.remove("Message"))
                .unwrap_or(Json::String(String::new()));
            serde_json::json!({ "__type": code, "message": message })
        }
        other => other,
    };
    cbor_response(status, &json)
}

fn reply(status: u16, code: &str, message: &str) -> Response<Body> {
    cbor_response(
        status,
        &serde_json::json!({ "__type": code, "message": message }),
    )
}

fn cbor_response(status: u16, doc: &Json) -> Response<Body> {
    let mut enc = Encoder::new(Vec::new());
    write(&mut enc, doc, false).expect("encode to a Vec");
    Response::builder()
        .status(status)
        .header("content-type", "application/cbor")
        .header("smithy-protocol", "rpc-v2-cbor")
        .body(Body::from(enc.into_writer()))
        .expect("response")
}

type EncResult = Result<(), minicbor::encode::Error<std::convert::Infallible>>;

fn write(enc: &mut Encoder<Vec<u8>>, v: &Json, time: bool) -> EncResult {
    match v {
        Json::Null => {
            enc.null()?;
        }
        Json::Bool(b) => {
            enc.bool(*b)?;
        }
        Json::Number(n) if time => {
            enc.tag(IanaTag::Timestamp)?
                .f64(n.as_f64().unwrap_or_default())?;
        }
        // moto may write a timestamp as ISO 8601 text.
        Json::String(s) if time => {
            let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|e| panic!("moto timestamp '{s}': {e}"));
            enc.tag(IanaTag::Timestamp)?
                .f64(t.unix_timestamp_nanos() as f64 / 1e9)?;
        }
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => {
                enc.i64(i)?;
            }
            (None, Some(f)) => {
                enc.f64(f)?;
            }
            _ => {
                enc.null()?;
            }
        },
        Json::String(s) => {
            enc.str(s)?;
        }
        Json::Array(items) => {
            enc.array(items.len() as u64)?;
            for i in items {
                write(enc, i, time)?;
            }
        }
        Json::Object(members) => {
            // A null member is an absent one.
            let present: Vec<_> = members.iter().filter(|(_, v)| !v.is_null()).collect();
            enc.map(present.len() as u64)?;
            for (k, v) in present {
                enc.str(k)?;
                write(enc, v, TIMESTAMPS.contains(&k.as_str()))?;
            }
        }
    }
    Ok(())
}

fn decode(bytes: &[u8]) -> Result<Json, String> {
    let mut d = Decoder::new(bytes);
    read(&mut d)
}

fn read(d: &mut Decoder<'_>) -> Result<Json, String> {
    let e = |e: minicbor::decode::Error| e.to_string();
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => Json::Bool(d.bool().map_err(e)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(e)?;
            Json::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Json::from(d.u64().map_err(e)?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => Json::from(d.i64().map_err(e)?),
        Type::F16 | Type::F32 | Type::F64 => Json::from(d.f64().map_err(e)?),
        Type::String => Json::String(d.str().map_err(e)?.to_string()),
        Type::StringIndef => {
            let mut s = String::new();
            for part in d.str_iter().map_err(e)? {
                s.push_str(part.map_err(e)?);
            }
            Json::String(s)
        }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(e)?;
            let mut items = Vec::new();
            each(d, len, |d| {
                items.push(read(d)?);
                Ok(())
            })?;
            Json::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(e)?;
            let mut m = Map::new();
            each(d, len, |d| {
                let Json::String(k) = read(d)? else {
                    return Err("map keys must be text".into());
                };
                m.insert(k, read(d)?);
                Ok(())
            })?;
            Json::Object(m)
        }
        // Timestamps (tag 1 over epoch seconds) are epoch seconds in awsJson1_0 too.
        Type::Tag => {
            let tag = d.tag().map_err(e)?;
            let inner = read(d)?;
            assert_eq!(tag, Tag::from(IanaTag::Timestamp), "unexpected CBOR tag");
            inner
        }
        other => return Err(format!("unexpected CBOR item {other}")),
    })
}

fn each(
    d: &mut Decoder<'_>,
    len: Option<u64>,
    mut f: impl FnMut(&mut Decoder<'_>) -> Result<(), String>,
) -> Result<(), String> {
    match len {
        Some(n) => (0..n).try_for_each(|_| f(d)),
        None => loop {
            if d.datatype().map_err(|e| e.to_string())? == Type::Break {
                d.skip().map_err(|e| e.to_string())?;
                return Ok(());
            }
            f(d)?;
        },
    }
}

"""Sample MCP server for agentcore-console demos and tests.

Python standard library only (no pip install): MCP streamable HTTP on POST /mcp, JSON or
SSE responses, JSON log lines on stdout. Listens on FASTMCP_HOST/HOST (default 127.0.0.1) and
PORT/FASTMCP_PORT (default 8000), as AgentCore's runtime contract gives them.

Settings (environment variables):
  APP_VERSION        reported in serverInfo and logs (default 1.0.0)
  MCP_PATH           the MCP path (default /mcp)
  MCP_RESPONSE_MODE  "json" (default) or "sse": how every answer is sent
  MCP_ERROR_RATE     0..1: that share of tools/call fails with HTTP 500 (canary demos)
  MCP_TOOL_ERROR_RATE 0..1: that share of tools/call answers HTTP 200 with isError: true,
                     logged at ERROR (a failing version AgentCore's own metrics cannot see)
  MCP_LATENCY_MS     added to every tools/call
  MCP_PAGE_SIZE      tools per tools/list page (default 100)
  MCP_RANDOM_SEED    seeds the error injection
"""
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUPPORTED = ["2025-06-18", "2025-03-26", "2024-11-05"]
VERSION = os.environ.get("APP_VERSION", "1.0.0")
PATH = os.environ.get("MCP_PATH", "/mcp")
MODE = os.environ.get("MCP_RESPONSE_MODE", "json")
ERROR_RATE = float(os.environ.get("MCP_ERROR_RATE", "0") or 0)
TOOL_ERROR_RATE = float(os.environ.get("MCP_TOOL_ERROR_RATE", "0") or 0)
LATENCY_MS = int(os.environ.get("MCP_LATENCY_MS", "0") or 0)
PAGE_SIZE = max(1, int(os.environ.get("MCP_PAGE_SIZE", "100") or 100))
RNG = random.Random(os.environ.get("MCP_RANDOM_SEED"))
LOG_LOCK = threading.Lock()


def outcome(out):
    """The log level and error text of a reply. A tool that fails answers HTTP 200 with
    isError: it is logged at ERROR (as the official SDK does) so that a metric filter on
    level = ERROR counts tool errors, which AgentCore's own metrics cannot see."""
    if "error" in out:
        return "ERROR", out["error"]["message"]
    result = out.get("result")
    if isinstance(result, dict) and result.get("isError"):
        texts = [c.get("text") for c in result.get("content") or [] if isinstance(c, dict)]
        return "ERROR", " ".join(t for t in texts if isinstance(t, str)) or "tool error"
    return "INFO", None


def log(level, message, **fields):
    now = datetime.now(timezone.utc)
    line = {"timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "level": level, "message": message, "version": VERSION, **fields}
    with LOG_LOCK:
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


def obj(props, required=()):
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}


TOOLS = [
    {"name": "echo", "description": "Echo the text back.",
     "inputSchema": obj({"text": {"type": "string"}}, ["text"])},
    {"name": "add", "description": "Add two numbers.",
     "inputSchema": obj({"a": {"type": "number"}, "b": {"type": "number"}}, ["a", "b"]),
     "outputSchema": obj({"sum": {"type": "number"}}, ["sum"])},
    {"name": "weather", "description": "A (fake, deterministic) forecast for a city.",
     "inputSchema": obj({"city": {"type": "string", "minLength": 1},
                         "units": {"type": "string", "enum": ["metric", "imperial"]}}, ["city"])},
    {"name": "create_ticket", "description": "Open a support ticket for a customer.",
     "inputSchema": obj({
         "title": {"type": "string", "minLength": 1, "maxLength": 120},
         "priority": {"type": "string", "enum": ["low", "normal", "high"]},
         "customer": obj({"name": {"type": "string", "minLength": 1},
                          "email": {"type": "string", "format": "email", "pattern": "^[^@\\s]+@[^@\\s]+$"}},
                         ["name", "email"]),
         "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
     }, ["title", "customer"])},
    {"name": "slow_count", "description": "Count slowly, reporting progress at each step.",
     "inputSchema": obj({"steps": {"type": "integer", "minimum": 1, "maximum": 50},
                         "delay_ms": {"type": "integer", "minimum": 0, "maximum": 5000}}, ["steps"])},
    {"name": "fail", "description": "Fail on request: a tool error, a protocol error, or a crash.",
     "inputSchema": obj({"mode": {"type": "string", "enum": ["tool_error", "protocol_error", "crash"]},
                         "message": {"type": "string"}})},
]
BY_NAME = {t["name"]: t for t in TOOLS}


class RpcError(Exception):
    def __init__(self, code, message, http=200):
        super().__init__(message)
        self.code, self.message, self.http = code, message, http


def check(schema, value, path="arguments"):
    """A small JSON Schema check for the keywords the tools use."""
    t = schema.get("type")
    kinds = {"object": dict, "string": str, "array": list, "boolean": bool}
    if t == "number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        raise RpcError(-32602, f"{path} must be a number")
    if t == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        raise RpcError(-32602, f"{path} must be an integer")
    if t in kinds and not isinstance(value, kinds[t]):
        raise RpcError(-32602, f"{path} must be of type {t}")
    if "enum" in schema and value not in schema["enum"]:
        raise RpcError(-32602, f"{path} must be one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 10**9):
            raise RpcError(-32602, f"{path} has the wrong length")
        if "pattern" in schema:
            import re
            if not re.search(schema["pattern"], value):
                raise RpcError(-32602, f"{path} is not a valid {schema.get('format', 'value')}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", -1e308) or value > schema.get("maximum", 1e308):
            raise RpcError(-32602, f"{path} is out of range")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", 10**9):
            raise RpcError(-32602, f"{path} has too many items")
        for i, item in enumerate(value):
            check(schema.get("items", {}), item, f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise RpcError(-32602, f"{path}.{key} is required")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key not in props:
                if schema.get("additionalProperties") is False:
                    raise RpcError(-32602, f"{path}.{key} is not allowed")
                continue
            check(props[key], item, f"{path}.{key}")


def text(s):
    return {"type": "text", "text": s}


def call_tool(name, args, progress):
    """Returns the tools/call result; `progress(i, total, msg)` reports progress."""
    if name not in BY_NAME:
        raise RpcError(-32602, f"unknown tool {name}")
    check(BY_NAME[name]["inputSchema"], args)
    if name == "echo":
        return {"content": [text(args["text"])]}
    if name == "add":
        s = args["a"] + args["b"]
        return {"content": [text(str(s))], "structuredContent": {"sum": s}}
    if name == "weather":
        h = int(hashlib.sha256(args["city"].lower().encode()).hexdigest(), 16)
        c = (h % 35) - 5
        units = args.get("units", "metric")
        temp = c if units == "metric" else round(c * 9 / 5 + 32)
        sky = ["sunny", "cloudy", "rain", "windy", "snow"][h % 5]
        forecast = {"city": args["city"], "temperature": temp, "units": units, "sky": sky}
        return {"content": [text(f"{args['city']}: {temp}°{'C' if units == 'metric' else 'F'}, {sky}")],
                "structuredContent": forecast}
    if name == "create_ticket":
        ticket = "T-" + uuid.uuid4().hex[:8]
        return {"content": [text(f"opened {ticket} for {args['customer']['name']}: {args['title']}")],
                "structuredContent": {"ticket": ticket, "priority": args.get("priority", "normal")}}
    if name == "slow_count":
        steps, delay = args["steps"], args.get("delay_ms", 200)
        for i in range(1, steps + 1):
            time.sleep(delay / 1000)
            progress(i, steps, f"step {i}/{steps}")
        return {"content": [text(f"counted to {steps}")]}
    mode, message = args.get("mode", "tool_error"), args.get("message", "failed on request")
    if mode == "protocol_error":
        raise RpcError(-32000, message)
    if mode == "crash":
        log("ERROR", "crashing on request", tool="fail")
        os._exit(3)
    return {"content": [text(message)], "isError": True}


def handle(msg):
    """The result of one request (raises RpcError)."""
    method, params = msg.get("method"), msg.get("params") or {}
    if method == "initialize":
        asked = params.get("protocolVersion")
        return {"protocolVersion": asked if asked in SUPPORTED else SUPPORTED[0],
                "capabilities": {"tools": {"listChanged": False}, "logging": {}},
                "serverInfo": {"name": "sample-mcp-server", "version": VERSION},
                "instructions": "Sample tools for agentcore-console demos."}
    if method == "ping":
        return {}
    if method == "tools/list":
        cursor = params.get("cursor")
        try:
            start = int(cursor) if cursor else 0
        except ValueError:
            raise RpcError(-32602, "invalid cursor")
        if start < 0 or start > len(TOOLS):
            raise RpcError(-32602, "invalid cursor")
        page = {"tools": TOOLS[start:start + PAGE_SIZE]}
        if start + PAGE_SIZE < len(TOOLS):
            page["nextCursor"] = str(start + PAGE_SIZE)
        return page
    raise RpcError(-32601, f"method not found: {method}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # stdout carries JSON log lines only
        pass

    def do_GET(self):
        self.plain(405 if self.path == PATH else 404)

    def do_DELETE(self):
        self.plain(200 if self.path == PATH else 404)

    def plain(self, status):
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        started = time.monotonic()
        if self.path != PATH:
            return self.plain(404)
        session = self.headers.get("mcp-session-id")
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            msg = json.loads(body)
        except ValueError:
            return self.reply(200, {"jsonrpc": "2.0", "id": None,
                                    "error": {"code": -32700, "message": "parse error"}}, session, started, None)
        if not isinstance(msg, dict):
            return self.reply(200, {"jsonrpc": "2.0", "id": None,
                                    "error": {"code": -32600, "message": "batches are not supported"}},
                              session, started, None)
        method = msg.get("method")
        if "id" not in msg:  # a notification or a response: accepted, no body
            self.plain(202)
            log("INFO", "notification", method=method, session=session, status=202)
            return
        if method == "initialize" and not session:
            session = uuid.uuid4().hex
        tool = (msg.get("params") or {}).get("name") if method == "tools/call" else None
        token = ((msg.get("params") or {}).get("_meta") or {}).get("progressToken")
        if method == "tools/call":
            if LATENCY_MS:
                time.sleep(LATENCY_MS / 1000)
            if ERROR_RATE and RNG.random() < ERROR_RATE:
                return self.reply(500, {"jsonrpc": "2.0", "id": msg["id"],
                                        "error": {"code": -32603, "message": "injected failure"}},
                                  session, started, msg, tool)
            if TOOL_ERROR_RATE and RNG.random() < TOOL_ERROR_RATE:
                result = {"content": [text("injected tool error")], "isError": True}
                return self.reply(200, {"jsonrpc": "2.0", "id": msg["id"], "result": result},
                                  session, started, msg, tool)
            if token is not None:
                return self.stream_call(msg, tool, token, session, started)
        try:
            if method == "tools/call":
                params = msg.get("params") or {}
                result = call_tool(tool, params.get("arguments") or {}, lambda *a: None)
            else:
                result = handle(msg)
            out = {"jsonrpc": "2.0", "id": msg["id"], "result": result}
        except RpcError as e:
            out = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": e.code, "message": e.message}}
        self.reply(200, out, session, started, msg, tool)

    def headers_out(self, status, content_type, session, length=None):
        self.send_response(status)
        self.send_header("content-type", content_type)
        if session:
            self.send_header("mcp-session-id", session)
        self.send_header("mcp-protocol-version", self.headers.get("mcp-protocol-version") or SUPPORTED[0])
        if length is None:
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.close_connection = True
        else:
            self.send_header("content-length", str(length))
        self.end_headers()

    def reply(self, status, out, session, started, msg, tool=None):
        if MODE == "sse":
            self.headers_out(status, "text/event-stream", session)
            self.event(out)
        else:
            data = json.dumps(out).encode()
            self.headers_out(status, "application/json", session, len(data))
            self.wfile.write(data)
        level, error = outcome(out)
        log("ERROR" if status >= 500 else level, "request", method=(msg or {}).get("method"), tool=tool,
            session=session, status=status, duration_ms=round((time.monotonic() - started) * 1000, 1),
            **({"error": error} if error else {}))

    def event(self, message):
        self.wfile.write(b"event: message\ndata: " + json.dumps(message).encode() + b"\n\n")
        self.wfile.flush()

    def stream_call(self, msg, tool, token, session, started):
        """A tools/call with a progress token: progress notifications, then the result, as SSE."""
        self.headers_out(200, "text/event-stream", session)

        def progress(i, total, message):
            self.event({"jsonrpc": "2.0", "method": "notifications/progress",
                        "params": {"progressToken": token, "progress": i, "total": total, "message": message}})
        params = msg.get("params") or {}
        try:
            out = {"jsonrpc": "2.0", "id": msg["id"], "result": call_tool(tool, params.get("arguments") or {}, progress)}
        except RpcError as e:
            out = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": e.code, "message": e.message}}
        self.event(out)
        level, error = outcome(out)
        log(level, "request", method="tools/call", tool=tool, session=session, status=200,
            duration_ms=round((time.monotonic() - started) * 1000, 1), stream=True,
            **({"error": error} if error else {}))



def main():
    host = os.environ.get("FASTMCP_HOST") or os.environ.get("HOST") or "127.0.0.1"
    port = int(os.environ.get("PORT") or os.environ.get("FASTMCP_PORT") or 8000)
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log("INFO", "listening", host=host, port=port, path=PATH)
    try:
        # A SIGTERM's shutdown is noticed at the next poll: 0.1 s, not the default 0.5 s.
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    log("INFO", "stopped")


if __name__ == "__main__":
    main()

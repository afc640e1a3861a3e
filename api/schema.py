"""The published schema documents the problem responses every operation may give."""

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "description": "The row of a batch."},
                    "field": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

# Which errors each kind of operation can answer with.
_COMMON = {"401": "No valid API key.", "403": "The key lacks the scope.", "429": "Rate limited."}
_BY_METHOD = {
    "get": {
        "400": "A bad or unknown query parameter, or a bad cursor.",
        "404": "Not found (or not yours).",
    },
    "post": {
        "400": "Values refused; nothing changed.",
        "404": "Not found (or not yours).",
        "409": "The object's state does not allow it.",
        "413": "The body is larger than the server takes (DATA_UPLOAD_MAX_MEMORY_SIZE).",
        "415": "Unsupported media type.",
        "422": "Idempotency-Key reused with a different request.",
    },
}


def problem_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            errors = {**_COMMON, **_BY_METHOD.get(method, {})}
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": ref}},
                    },
                )
    return result

"""API errors as the real kube-apiserver writes them: a `Status` object with reason, code and details.

Handlers raise ApiError; the HTTP layer turns it into the response body, so every failure path
produces the same shape clients (client-go, python-kubernetes, our C++ runner) branch on.
"""

RFC1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
    "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason}
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def status_success(details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        body["details"] = details
    return body


def not_found(plural, name, group=""):
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    what = f"{plural}.{group}" if group else plural
    return ApiError(404, "NotFound", f'{what} "{name}" not found', details)


def already_exists(plural, name, group=""):
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    what = f"{plural}.{group}" if group else plural
    return ApiError(409, "AlreadyExists", f'{what} "{name}" already exists', details)


def conflict(plural, name, why, group=""):
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    what = f"{plural}.{group}" if group else plural
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {what} "{name}": {why}', details)


def invalid(kind, name, causes, group=""):
    """causes: list of (field, message-after-field, reason) as in field.ErrorList."""
    parts = [f"{field}: {msg}" for field, msg, _ in causes]
    joined = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details = {"name": name, "kind": kind,
               "causes": [{"reason": r, "message": m, "field": f} for f, m, r in causes]}
    if group:
        details["group"] = group
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {joined}', details)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def method_not_allowed(message="the server does not allow this method on the requested resource"):
    return ApiError(405, "MethodNotAllowed", message, {})


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(plural, name, message, group=""):
    details = {"name": name, "kind": plural} if name else {"kind": plural}
    if group:
        details["group"] = group
    what = f"{plural}.{group}" if group else plural
    subject = f'{what} "{name}"' if name else what
    return ApiError(403, "Forbidden", f"{subject} is forbidden: {message}", details)


def expired(message):
    return ApiError(410, "Expired", message)


def too_old_rv(requested, oldest):
    return expired(f"too old resource version: {requested} ({oldest})")


def too_many_requests(retry_after):
    return ApiError(429, "TooManyRequests", "Too many requests, please try again later.",
                    {"retryAfterSeconds": retry_after}, {"Retry-After": str(retry_after)})


def server_error(code, message):
    if code == 503:
        return ApiError(503, "ServiceUnavailable", message, {})
    if code == 504:
        return ApiError(504, "Timeout", message, {})
    return ApiError(code, "InternalError", f"Internal error occurred: {message}",
                    {"causes": [{"message": message}]})

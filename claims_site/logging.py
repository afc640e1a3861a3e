import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class OneLineErrorFilter(logging.Filter):
    """Turns a record's traceback into one line naming the error.

    For errors that are expected and repeat on every request while they last, such as the
    Redis errors django-redis ignores when the cache is down: the line says what failed, and a
    traceback per cache call would bury everything else in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            cause = exc.__cause__ or exc
            record.msg = f"{record.getMessage()}: {type(cause).__name__}: {cause}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True

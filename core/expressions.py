"""Database expressions Django does not have, for PostgreSQL and SQLite alike."""

from django.db.models import BooleanField, Expression, F


class ListHasAny(Expression):
    """True when a JSON list of texts (a JSONField holding ["tue-eve", ...]) holds any of
    `values`, so a filter can ask "free at any of these times?" in the database.

    Django's own `has_any_keys` means this on PostgreSQL (`?|` also matches a list's texts)
    but looks for object keys on SQLite, so each database gets its own SQL here."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, values) -> None:
        super().__init__()
        self.column = F(field)
        self.values = sorted(set(values))

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        if not self.values:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        marks = ", ".join(["%s"] * len(self.values))
        # The column is compiled by Django and the values are parameters.
        sql = f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value IN ({marks}))"  # noqa: S608
        return sql, [*params, *self.values]

    def as_postgresql(self, compiler, connection):
        if not self.values:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        return f"({column} ?| %s)", [*params, self.values]


class IsAnyOf(Expression):
    """True when a column's value is one of `values`: `column IN (...)`, as Django's `__in`
    writes it, except on PostgreSQL, where thousands of values go as one array parameter
    (`= ANY(%s)`) instead of one parameter each, which Django and psycopg take about ten
    microseconds apiece to prepare."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, values) -> None:
        super().__init__()
        self.column = F(field)
        self.values = list(values)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        if not self.values:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        marks = ", ".join(["%s"] * len(self.values))
        return f"{column} IN ({marks})", [*params, *self.values]

    def as_postgresql(self, compiler, connection):
        if not self.values:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s)", [*params, self.values]

"""Form fields for German number input ("12,5", "1.200.000 €")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

_CLEAN = re.compile(r"[\s€\u00a0]")


def parse_german_number(text: str) -> Decimal:
    """Parse "1.234,5", "1234.5", "1 234" → Decimal; raises ``ValueError``."""
    value = _CLEAN.sub("", text)
    if not value:
        raise ValueError("empty")
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif value.count(".") > 1 or re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")  # thousands separators only
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


class _GermanNumberField(StringField):
    """A text input with a numeric keyboard that understands German number formats."""

    message = _l("Bitte eine Zahl eingeben, z. B. 12,5.")

    def __init__(
        self,
        *args: Any,
        minimum: Decimal | int | None = 0,
        maximum: Decimal | int | None = None,
        **kwargs: Any,
    ) -> None:
        render_kw = kwargs.setdefault("render_kw", {})
        render_kw.setdefault("inputmode", "decimal")
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.format(self.data)

    def format(self, value: Any) -> str:
        return str(value).replace(".", ",")

    def convert(self, number: Decimal) -> Any:
        return number

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            number = parse_german_number(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise ValueError(str(self.message)) from None
        if self.minimum is not None and number < self.minimum:
            raise ValueError(str(_l("Der Wert darf nicht kleiner als %(n)s sein.", n=self.minimum)))
        if self.maximum is not None and number > self.maximum:
            raise ValueError(str(_l("Der Wert darf nicht größer als %(n)s sein.", n=self.maximum)))
        self.data = self.convert(number)


class DecimalCommaField(_GermanNumberField):
    """A float such as full-time equivalents ("12,5")."""

    def convert(self, number: Decimal) -> float:
        return float(number)

    def format(self, value: Any) -> str:
        text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")


class EuroField(_GermanNumberField):
    """Whole euros ("1.200.000 €" → 1200000)."""

    message = _l("Bitte einen Betrag in ganzen Euro eingeben, z. B. 1.200.000.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {})["inputmode"] = "numeric"
        super().__init__(*args, **kwargs)

    def convert(self, number: Decimal) -> int:
        if number != number.to_integral_value():
            raise ValueError(str(self.message))
        return int(number)

    def format(self, value: Any) -> str:
        return f"{int(value):,}".replace(",", ".")


def validate_not_future(form: Any, field: Any) -> None:
    """Field validator: the date must not lie in the future."""
    from datetime import date

    if field.data and field.data > date.today():
        raise ValidationError(str(_l("Das Datum liegt in der Zukunft.")))


class CentsField(_GermanNumberField):
    """A euro amount with at most two decimals ("1.234,50 €"), stored as integer cents."""

    message = _l("Bitte einen Betrag in Euro eingeben, z. B. 1.234,50.")

    def convert(self, number: Decimal) -> int:
        cents = number * 100
        if cents != cents.to_integral_value():
            raise ValueError(str(_l("Bitte höchstens zwei Nachkommastellen angeben.")))
        return int(cents)

    def format(self, value: Any) -> str:
        euros, cents = divmod(int(value), 100)
        return f"{euros:,}".replace(",", ".") + f",{cents:02d}"

"""Shared pydantic building blocks: strict frozen models and validated field types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from exportcheck.domain.countries import is_country_code, resolve_country
from exportcheck.domain.eccn import normalise_eccn


class Model(BaseModel):
    """Base of every model: unknown keys are errors and instances are immutable."""

    # defer_build: rule sets come back from the cache without validation, so most models never
    # need their validators built in a short CLI run.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _strict_country(value: str) -> str:
    if not isinstance(value, str) or not is_country_code(value):
        raise ValueError(f"unknown country code {value!r}: rule files use ISO 3166-1 alpha-2 codes")
    return value


def _resolve(value: object) -> object:
    return resolve_country(value) if isinstance(value, str) else value


def _eccn(value: object) -> object:
    return normalise_eccn(value) if isinstance(value, str) else value


# In sale files a country may be an alpha-2 or alpha-3 code or an English short name.
CountryInput = Annotated[str, BeforeValidator(_resolve)]
# In rule files it is always alpha-2.
Country = Annotated[str, AfterValidator(_strict_country)]
Eccn = Annotated[str, BeforeValidator(_eccn)]
NonEmptyStr = Annotated[str, Field(min_length=1), AfterValidator(str.strip)]


class Dated(Model):
    """Something in force from a date (inclusive) until a date (inclusive); open when absent."""

    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None

    def in_force(self, on: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= on) and (self.until is None or on <= self.until)

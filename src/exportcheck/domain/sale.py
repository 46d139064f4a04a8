"""The proposed sale: parties, items and their facts, as users write them in sale files."""

from __future__ import annotations

import datetime as dt
import functools
import math
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from exportcheck.domain.base import CountryInput, Eccn, Model, NonEmptyStr


class Role(StrEnum):
    BUYER = "buyer"
    CONSIGNEE = "consignee"
    END_USER = "end_user"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"


class Purpose(StrEnum):
    NEW_SALE = "new-sale"
    MAINTENANCE = "maintenance"
    SOFTWARE_UPDATE = "software-update"
    REPAIR = "repair"
    CYBERSECURITY_RESEARCH = "cybersecurity-research"
    OTHER = "other"


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Money = Annotated[float, Field(gt=0), AfterValidator(_finite)]
Percent = Annotated[float, Field(ge=0, le=100), AfterValidator(_finite)]


class Exporter(Model):
    name: NonEmptyStr
    country: CountryInput


class Party(Model):
    role: Role
    name: NonEmptyStr
    country: CountryInput
    address: str | None = None


class Component(Model):
    description: str | None = None
    classification: Eccn | None = None
    origin: CountryInput
    value: Money


class Item(Model):
    description: str | None = None
    classification: Eccn | None = None
    origin: CountryInput
    value: Money
    us_content_percent: Percent | None = None
    components: tuple[Component, ...] | None = None
    purpose: Purpose = Purpose.NEW_SALE
    # For maintenance, repair and software updates: the day the supported equipment was first
    # available to the public, or its support contract signed. General licences that cover only
    # existing networks and devices (the 2019 Huawei TGL) compare it with their cut-off date.
    existing_since: dt.date | None = None
    # Whether this foreign-made item is a direct product of US technology or software, or of a
    # plant that is (15 CFR 734.9). Asked only when a foreign-direct-product rule could apply.
    direct_product: bool | None = None


class Sale(Model):
    id: NonEmptyStr
    date: dt.date
    exporter: Exporter | None = None
    parties: tuple[Party, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)

    @functools.cached_property
    def destination(self) -> str:
        """The country of ultimate destination: the end user's, else consignee's, else buyer's."""
        for role in (Role.END_USER, Role.CONSIGNEE, Role.BUYER, Role.INTERMEDIATE_CONSIGNEE):
            for party in self.parties:
                if party.role is role:
                    return party.country
        return self.parties[0].country

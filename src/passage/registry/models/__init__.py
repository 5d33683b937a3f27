from passage.registry.models.imports import ImportState, RegistrationImport, StagedRow
from passage.registry.models.locations import AdminArea, Site, SiteType
from passage.registry.models.people import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DatePrecision,
    DocumentType,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonStatus,
    Phone,
    Relationship,
    Sex,
)

__all__ = [
    "AdminArea",
    "Consent",
    "ConsentMethod",
    "ConsentPurpose",
    "DatePrecision",
    "DocumentType",
    "Household",
    "HouseholdMember",
    "IdentityDocument",
    "ImportState",
    "Person",
    "PersonStatus",
    "Phone",
    "RegistrationImport",
    "Relationship",
    "Sex",
    "Site",
    "SiteType",
    "StagedRow",
]

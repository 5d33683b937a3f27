from passage.claims.models.claims import (
    Capacity,
    Claim,
    ClaimedViolation,
    ClaimQuerySet,
    ClaimsProgramme,
    DeficiencyNotice,
    DuplicateFlag,
    Evidence,
    FlagKind,
    ShareRule,
)
from passage.claims.models.violations import (
    EvidenceRequirement,
    RecognitionBasis,
    VerificationEntry,
    VerificationSource,
    ViolationCategory,
    ViolationEvent,
)

__all__ = [
    "Capacity",
    "Claim",
    "ClaimQuerySet",
    "ClaimedViolation",
    "ClaimsProgramme",
    "DeficiencyNotice",
    "DuplicateFlag",
    "Evidence",
    "EvidenceRequirement",
    "FlagKind",
    "RecognitionBasis",
    "ShareRule",
    "VerificationEntry",
    "VerificationSource",
    "ViolationCategory",
    "ViolationEvent",
]

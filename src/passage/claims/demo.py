"""Demo violation categories, after the categories recognised by the reparation programmes IOM has supported
(../shared/reference/domain.md section 5: the forced-labour compensation programme, Sierra Leone, the Yazidi
Survivors Law, Nepal). Idempotent: a category the operation has already is left as it is. Not wired into the
demo yet (`passage demo` calls it once claims have pages)."""

from __future__ import annotations

from passage.claims.models import RecognitionBasis, ViolationCategory
from passage.claims.violation_actions import RequirementInput, create_category
from passage.core.models import Operation, User

_IDENTITY = RequirementInput("identity", "Identity document of the victim", document_kind="identity_document")
_PROOF = RequirementInput("proof", "Proof of the violation (testimony, record, certificate)", "proof_of_violation")
_LISTED = RequirementInput("listed", "Named on a verification list", source_match=True, required=False)

# code, name, legal basis, recognition, the evidence besides identity and proof
CATEGORIES: tuple[tuple[str, str, str, str, tuple[RequirementInput, ...]], ...] = (
    (
        "forced-labour",
        "Forced labour",
        "Compensation law, forced labour for a company or public authority",
        RecognitionBasis.INDIVIDUAL,
        (_LISTED,),
    ),
    (
        "slave-labour",
        "Slave labour",
        "Compensation law, labour in a camp or ghetto",
        RecognitionBasis.INDIVIDUAL,
        (_LISTED,),
    ),
    (
        "sexual-violence",
        "Sexual violence",
        "Survivors law; truth commission report",
        RecognitionBasis.INDIVIDUAL,
        (RequirementInput("medical", "Medical or psychosocial report", "proof_of_violation", required=False), _LISTED),
    ),
    (
        "enforced-disappearance",
        "Enforced disappearance",
        "Relief procedure for families of the disappeared",
        RecognitionBasis.INDIVIDUAL,
        (_LISTED,),
    ),
    ("torture", "Torture", "Truth commission report", RecognitionBasis.INDIVIDUAL, (_LISTED,)),
    ("unlawful-detention", "Unlawful detention", "Truth commission report", RecognitionBasis.INDIVIDUAL, (_LISTED,)),
    (
        "forced-displacement",
        "Forced displacement",
        "Victims and land restitution law",
        RecognitionBasis.COLLECTIVE,
        (_LISTED,),
    ),
    (
        "killing-of-family-member",
        "Killing of a family member",
        "Relief procedure for families of the killed",
        RecognitionBasis.INDIVIDUAL,
        (RequirementInput("death", "Death certificate of the family member", "death_certificate"), _LISTED),
    ),
    (
        "personal-injury",
        "Personal injury",
        "Compensation law, personal injury including medical experiments",
        RecognitionBasis.INDIVIDUAL,
        (RequirementInput("medical", "Medical report of the injury", "proof_of_violation", required=False),),
    ),
    ("property-loss", "Property loss", "Compensation law, loss of property", RecognitionBasis.INDIVIDUAL, ()),
)


def create_violation_categories(*, operation: Operation, acting_user: User | None = None) -> list[ViolationCategory]:
    """The ten demo categories of `operation`, created where missing."""
    have = set(ViolationCategory.objects.filter(operation=operation).values_list("code", flat=True))
    made = []
    for code, name, basis, recognition, extra in CATEGORIES:
        if code in have:
            continue
        made.append(
            create_category(
                operation=operation,
                acting_user=acting_user,
                code=code,
                name=name,
                legal_basis=basis,
                recognition_basis=recognition,
                checklist=(_IDENTITY, _PROOF, *extra),
            )
        )
    return made

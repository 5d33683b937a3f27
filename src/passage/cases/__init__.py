"""Case management: programme procedures as workflows, cases and caseloads, assessments from XLSForm, referrals."""

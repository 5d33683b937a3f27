"""Passage's sample XLSForms: vulnerability (IOM DoMV), the Reintegration Sustainability Survey,
counter-trafficking screening (HTCDS) and protection intake. Their content is Python data in the modules
beside this one; build.py writes the .xlsx files an administrator uploads."""

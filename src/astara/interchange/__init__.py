"""Interchange with FollowTheMoney, STIX 2.1 and MISP (the astara[interchange] extra)."""

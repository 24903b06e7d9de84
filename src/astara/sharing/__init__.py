"""Sharing between agencies: agreements as policy, signed feeds and bundles, receipts and the audit chain.

See :mod:`astara.sharing.service` for the operations the CLI and API call.
"""

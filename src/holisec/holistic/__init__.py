"""The holistic view: five balances, coordination and obstacles across domains, cross-domain
linkage (estimated and expert-given), networks, what-if scenarios and cascades."""
from holisec.holistic._common import HolisticError, domain_scores, domains

__all__ = ["HolisticError", "domain_scores", "domains"]

from .controllers import ChallengeController

ROUTES = [ChallengeController]

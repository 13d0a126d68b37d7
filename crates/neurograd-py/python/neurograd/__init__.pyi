from . import credit as credit, data as data, errors as errors, neurons as neurons
from . import optim as optim, rules as rules, spiking as spiking

__version__: str

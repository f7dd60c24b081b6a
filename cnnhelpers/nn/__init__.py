"""A tiny, readable neural-network library built on the core convolution and pooling functions.

Layers (``Conv2d``, ``ReLU``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``Linear``, ``Dropout``)
each have a ``forward`` and a ``backward``; ``Sequential`` chains them; ``fit`` trains with ``SGD``
or ``Adam`` on the softmax cross-entropy; ``gradcheck`` verifies backpropagation numerically;
``StudentConv2d`` (and ``with_student_conv``) is a ``Conv2d`` computed by a student's own
``conv2d`` and ``conv2d_backward``::

    from cnnhelpers import nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 14 * 14, 10, rng=1))
"""

from .gradcheck import GradcheckResult, gradcheck
from .layers import AvgPool2d, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2d, Parameter, ReLU, he_normal
from .losses import log_softmax, softmax, softmax_cross_entropy
from .model import Sequential
from .optim import SGD, Adam
from .student import StudentConv2d, with_student_conv
from .training import History, blas_threads, confusion_matrix, evaluate, fit, predict

__all__ = ["Parameter", "Layer", "Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "Flatten", "Linear", "Dropout",
           "he_normal", "Sequential", "log_softmax", "softmax", "softmax_cross_entropy", "SGD", "Adam",
           "History", "fit", "evaluate", "predict", "confusion_matrix", "blas_threads", "GradcheckResult", "gradcheck",
           "StudentConv2d", "with_student_conv"]

"""One module per notebook: its figures, its computed tables and its slider experiments.

welcome (00), kernels (01), padding (02), stride (03), depth (04), pooling (05), cnn (06) and
playground (the kernel playground app). What two notebooks share lives in the core modules
(:mod:`cnnhelpers.plotting`, :mod:`cnnhelpers.costs`, :mod:`cnnhelpers.sizes`, ...); each
notebook's exercises are in :mod:`cnnhelpers.exercises` under the same name.
"""

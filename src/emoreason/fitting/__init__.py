"""Fitting the perception models that ship inside the package, from labelled data.

One module per model: :mod:`~emoreason.fitting.voice` (the voice model, EmoDB),
:mod:`~emoreason.fitting.verbal` (the sentence model, the shipped EN/ZH sentence sets) and
:mod:`~emoreason.fitting.face` (the facial-action reader's reliabilities and calibration, on
synthetic faces). They read labelled data through the evaluation loaders and score with its
calibration metrics, so they sit above both :mod:`emoreason.perception` (which only *loads* the
fitted files at run time) and :mod:`emoreason.evaluation`; nothing at run time imports them.
"""

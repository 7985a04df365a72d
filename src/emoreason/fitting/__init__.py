"""Fitting the perception models that ship inside the package, from labelled data.

One command per model: :mod:`~emoreason.fitting.voice` (the voice model, EmoDB; its data and
degraded copies in ``voice_data`` and ``voice_augment``, its cross-validation in ``voice_cv``,
the robustness measurement in ``voice_robustness``),
:mod:`~emoreason.fitting.verbal` (the sentence model, the shipped EN/ZH sentence sets) and
:mod:`~emoreason.fitting.face` (the facial-action reader's reliabilities and calibration, on
synthetic faces). They read labelled data through the evaluation loaders and score with its
calibration metrics, so they sit above both :mod:`emoreason.perception` (which only *loads* the
fitted files at run time) and :mod:`emoreason.evaluation`; nothing at run time imports them.
"""

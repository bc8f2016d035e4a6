"""DeepFake detection on the playground's own generators: "detection can be derived as a corollary to generation".

``spectrum``: a generator's fingerprint, the azimuthally averaged power spectrum of its images (Durall et al.
2019), where transposed convolutions leave peaks (Odena et al. 2016). ``detectors``: a logistic regression on
those spectra and a small CNN on the pixels, fitted on real MNIST training digits against a generator's samples.
``sets``: the real and generated images each uses, fit and held out apart. ``matrix``: trained on each generator,
tested on every other (Wang et al. 2020), by accuracy and by AUC. ``job``: a fit run in the background, with its
held-out accuracy as it goes (the Detect page's live curve).
"""

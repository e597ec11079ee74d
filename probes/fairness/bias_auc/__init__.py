"""The `bias-auc` probe: threshold-free bias metrics (subgroup, BPSN and BNSP AUC per identity group, their
generalized means), as in Borkan et al. 2019 and the Jigsaw Unintended Bias benchmark."""

#!/usr/bin/env bash
# Train compressor variants side by side on one GPU (device tool). Inputs: .gpu/tokenizer and
# .gpu/encoded_<variant>.jsonl.gz made on the CPU; outputs under $OUT: one log per variant and the
# checkpoints as a split tarball (the transfer takes files of at most 16 MiB).
set -uo pipefail
export PYTHONUNBUFFERED=1
nvidia-smi -L
"${PYTHON:-python3}" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.is_available())"
mkdir -p /tmp/models
for encoded in .gpu/encoded_*.jsonl.gz; do
  variant=$(basename "$encoded" .jsonl.gz); variant=${variant#encoded_}
  "${PYTHON:-python3}" -m service.training train --encoded "$encoded" --tokenizer .gpu/tokenizer \
    --out "/tmp/models/$variant" --device cuda "$@" > "$OUT/train_$variant.log" 2>&1 &
done
wait
tar -C /tmp/models -czf - . | split -b 15m - "$OUT/models.tgz.part-"
ls -la "$OUT"

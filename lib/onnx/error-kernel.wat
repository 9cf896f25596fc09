;; The reconstruction-error kernel of drift-autoencoder: 128-bit SIMD, four features per
;; instruction. Assembled with wabt (lib/onnx/error-wasm.ts: by the build into error-kernel.wasm,
;; or at load time when running from source). error-kernel-reference.ts computes the same in
;; plain TypeScript, operation for operation; the tests compare the two.
;;
;; Per row: the mean over the F features of r² with r = (x − y) · invScale. r² and its sums over
;; a row and over a block of 16 rows are single precision; the row's mean and every sum over
;; blocks are double. A row whose error is not finite gets NaN, and its block is left out of the
;; per-feature sums.
;;
;; Memory (layout() in error-wasm.ts), in bytes from 0:
;;   0    f64 counters[2]          rows summed, full blocks summed
;;   16   f32 invScale[P]          P = F rounded up to a multiple of 4
;;   16+4P f32 block[P]            the current block's sums per feature
;;   16+8P f64 sum[F], blockSum[F], blockSumSq[F]
;; Batches (x and y as f32 rows of F values, errors as f64) lie anywhere after that.
(module
  (import "env" "memory" (memory 1))

  ;; rows(x, y, err, n, F) → rows whose error is not finite. Zeroes the block sums, then for each
  ;; of the n rows at x and y adds r² of every feature to the block sums (eight features at a
  ;; time, then four, then the last one to three alone) and stores the row's mean at err.
  (func $rows (export "rows")
    (param $x i32) (param $y i32) (param $err i32) (param $n i32) (param $F i32) (result i32)
    (local $i i32) (local $j i32) (local $quads i32) (local $octets i32) (local $rowBytes i32)
    (local $bad i32) (local $block i32) (local $at i32)
    (local $t v128) (local $t2 v128) (local $q v128) (local $total f64) (local $r f32)
    ;; $block = 16 + 4P: the block sums, after invScale. Zero them.
    (local.set $block
      (i32.add (i32.shl (i32.and (i32.add (local.get $F) (i32.const 3)) (i32.const -4)) (i32.const 2))
               (i32.const 16)))
    (local.set $rowBytes (i32.shl (local.get $F) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (f32.store (i32.add (local.get $block) (local.get $j)) (f32.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $zero)))
    ;; Byte offsets where the four-at-a-time and the eight-at-a-time parts of a row end.
    (local.set $quads (i32.shl (i32.and (local.get $F) (i32.const -4)) (i32.const 2)))
    (local.set $octets (i32.shl (i32.and (local.get $F) (i32.const -8)) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $t2 (local.tee $t (f32x4.splat (f32.const 0))))
        (local.set $j (i32.const 0))
        ;; Eight features at a time, into two accumulators ($t for the first four, $t2 for the next).
        (block $octetsDone
          (loop $octet
            (br_if $octetsDone (i32.ge_u (local.get $j) (local.get $octets)))
            ;; q = ((x − y) · invScale)²; block += q; t += q
            (local.set $q
              (f32x4.mul
                (local.tee $q
                  (f32x4.mul
                    (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $j)))
                               (v128.load (i32.add (local.get $y) (local.get $j))))
                    (v128.load offset=16 (local.get $j))))
                (local.get $q)))
            (v128.store
              (local.tee $at (i32.add (local.get $block) (local.get $j)))
              (f32x4.add (v128.load (local.get $at)) (local.get $q)))
            (local.set $t (f32x4.add (local.get $t) (local.get $q)))
            ;; The same for the next four features, 16 bytes further.
            (local.set $q
              (f32x4.mul
                (local.tee $q
                  (f32x4.mul
                    (f32x4.sub (v128.load offset=16 (i32.add (local.get $x) (local.get $j)))
                               (v128.load offset=16 (i32.add (local.get $y) (local.get $j))))
                    (v128.load offset=32 (local.get $j))))
                (local.get $q)))
            (v128.store offset=16
              (local.tee $at (i32.add (local.get $block) (local.get $j)))
              (f32x4.add (v128.load offset=16 (local.get $at)) (local.get $q)))
            (local.set $t2 (f32x4.add (local.get $t2) (local.get $q)))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $octet)))
        ;; Four more features when F mod 8 ≥ 4.
        (block $quadsDone
          (loop $quad
            (br_if $quadsDone (i32.ge_u (local.get $j) (local.get $quads)))
            (local.set $q
              (f32x4.mul
                (local.tee $q
                  (f32x4.mul
                    (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $j)))
                               (v128.load (i32.add (local.get $y) (local.get $j))))
                    (v128.load offset=16 (local.get $j))))
                (local.get $q)))
            (v128.store
              (local.tee $at (i32.add (local.get $block) (local.get $j)))
              (f32x4.add (v128.load (local.get $at)) (local.get $q)))
            (local.set $t (f32x4.add (local.get $t) (local.get $q)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $quad)))
        ;; The row's total so far: the lanes of t + t2, added in double precision.
        (local.set $t (f32x4.add (local.get $t) (local.get $t2)))
        (local.set $total
          (f64.add
            (f64.add
              (f64.add (f64.promote_f32 (f32x4.extract_lane 0 (local.get $t)))
                       (f64.promote_f32 (f32x4.extract_lane 1 (local.get $t))))
              (f64.promote_f32 (f32x4.extract_lane 2 (local.get $t))))
            (f64.promote_f32 (f32x4.extract_lane 3 (local.get $t)))))
        ;; The last one to three features, one at a time.
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $r
              (f32.mul
                (local.tee $r
                  (f32.mul
                    (f32.sub (f32.load (i32.add (local.get $x) (local.get $j)))
                             (f32.load (i32.add (local.get $y) (local.get $j))))
                    (f32.load offset=16 (local.get $j))))
                (local.get $r)))
            (f32.store
              (local.tee $at (i32.add (local.get $block) (local.get $j)))
              (f32.add (f32.load (local.get $at)) (local.get $r)))
            (local.set $total (f64.add (local.get $total) (f64.promote_f32 (local.get $r))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (local.set $total (f64.div (local.get $total) (f64.convert_i32_u (local.get $F))))
        ;; Not finite (t − t is NaN for NaN and ±Inf): NaN, and counted.
        (if (f64.ne (f64.sub (local.get $total) (local.get $total)) (f64.const 0))
          (then
            (local.set $total (f64.const nan))
            (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))
        (f64.store (local.get $err) (local.get $total))
        (local.set $err (i32.add (local.get $err) (i32.const 8)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    (local.get $bad))

  ;; accumulate(F, full): sum += block; when full ≠ 0 also blockSum += block and
  ;; blockSumSq += block², per feature, in double precision.
  (func $accumulate (export "accumulate") (param $F i32) (param $full i32)
    (local $j i32) (local $arrayBytes i32) (local $v f64) (local $block i32) (local $sum i32)
    (local $at i32)
    (local.set $sum
      (i32.add
        (local.tee $block
          (i32.add (i32.shl (i32.and (i32.add (local.get $F) (i32.const 3)) (i32.const -4)) (i32.const 2))
                   (i32.const 16)))
        (i32.shl (i32.and (i32.add (local.get $F) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (local.set $arrayBytes (i32.shl (local.get $F) (i32.const 3)))
    (block $done
      (loop $feature
        (br_if $done (i32.ge_u (local.get $j) (local.get $F)))
        (local.set $v
          (f64.promote_f32
            (f32.load (i32.add (local.get $block) (i32.shl (local.get $j) (i32.const 2))))))
        ;; sum[j] += v
        (local.set $at (i32.add (local.get $sum) (i32.shl (local.get $j) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $v)))
        (if (local.get $full)
          (then
            ;; blockSum[j] += v; blockSumSq[j] += v²
            (local.set $at (i32.add (local.get $at) (local.get $arrayBytes)))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $v)))
            (local.set $at (i32.add (local.get $at) (local.get $arrayBytes)))
            (f64.store (local.get $at)
              (f64.add (f64.load (local.get $at)) (f64.mul (local.get $v) (local.get $v))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $feature))))

  ;; batch(x, y, err, n, F) → rows whose error is not finite: rows() on each block of 16 rows,
  ;; and accumulate() for each block without such a row, counting its rows (and, when full, the
  ;; block) in the counters.
  (func $batch (export "batch")
    (param $x i32) (param $y i32) (param $err i32) (param $n i32) (param $F i32) (result i32)
    (local $start i32) (local $m i32) (local $bad i32) (local $total i32)
    (block $done
      (loop $blockLoop
        (br_if $done (i32.ge_u (local.get $start) (local.get $n)))
        ;; m = min(16, n − start)
        (local.set $m
          (select (i32.const 16)
                  (local.tee $m (i32.sub (local.get $n) (local.get $start)))
                  (i32.ge_u (local.get $m) (i32.const 16))))
        (local.set $total
          (i32.add
            (local.tee $bad
              (call $rows (local.get $x) (local.get $y) (local.get $err) (local.get $m) (local.get $F)))
            (local.get $total)))
        (if (i32.eqz (local.get $bad))
          (then
            (call $accumulate (local.get $F) (i32.eq (local.get $m) (i32.const 16)))
            (f64.store (i32.const 0) (f64.add (f64.load (i32.const 0)) (f64.convert_i32_u (local.get $m))))
            (if (i32.eq (local.get $m) (i32.const 16))
              (then
                (f64.store (i32.const 8) (f64.add (f64.load (i32.const 8)) (f64.const 1)))))))
        ;; The next block: 16 rows of F floats further, 16 errors further.
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $F) (i32.const 6))))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $F) (i32.const 6))))
        (local.set $err (i32.add (local.get $err) (i32.const 128)))
        (local.set $start (i32.add (local.get $start) (i32.const 16)))
        (br $blockLoop)))
    (local.get $total)))

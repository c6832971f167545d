/**
 * Rearranges the first n values of a so that a[k] is the k-th smallest of them (smaller before it, larger after) and
 * returns it: Hoare's selection (Hoare 1961, "Algorithm 65: FIND"), O(n) on average, in place.
 */
export function selectKth(a: Float64Array, k: number, n = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/*
 * Calls on a small array first, so that every compare of the loops has type feedback: V8 compiled the loops on-stack
 * during the first long call, before its `k >= i` test had run, and threw the code away when it first ran (`node
 * --trace-deopt` on the 10-minute bench file: the beep detector's chunk medians deoptimised it up to 3 times per run,
 * each followed by another compile). They change nothing.
 */
for (const k of [0, 3, 6]) selectKth(Float64Array.of(5, 1, 6, 0, 3, 2, 4), k);

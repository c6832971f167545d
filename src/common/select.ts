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

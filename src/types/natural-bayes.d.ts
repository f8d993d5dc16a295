declare module 'natural/lib/natural/classifiers/bayes_classifier' {
  /** natural's naive Bayes classifier (wrapping apparatus); only the parts Bình An uses. */
  export default class BayesClassifier {
    constructor(stemmer?: unknown, smoothing?: number);
    classifier: unknown;
  }
}

;;; wattcode-eglot.el --- wattcode with eglot (Emacs 29+, or 28 with eglot from ELPA)  -*- lexical-binding: t -*-
;; Put this in your init file (or load it). `M-x eglot' in a Python buffer starts wattcode;
;; `completion-at-point' (C-M-i) shows its suggestion; `eldoc' on a suggested line its cost.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode js-mode js-ts-mode go-mode go-ts-mode
                  rust-mode rust-ts-mode c-mode c-ts-mode c++-mode c++-ts-mode java-mode)
                 . ("wattcode" "serve"))))
(setq-default eglot-workspace-configuration
              '(:wattcode (:completion (:maxTokens 64))))
;;; wattcode-eglot.el ends here

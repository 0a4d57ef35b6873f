"""One structure tree (the PDF's tags) for pages gathered from several tagged PDFs: the chunks
of one book (``guidegen.layout.join``) or the copies of a batch (``combine``)."""

from __future__ import annotations

from collections.abc import Iterable

import pikepdf
from pikepdf import Array, Dictionary, Name


class Structure:
    """One structure tree for pages gathered from several tagged PDFs: each source's elements
    go under one Document element, and the keys of the parent tree (one per page and per
    annotation) are renumbered so that none is used twice."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        if "/StructTreeRoot" not in pdf.Root:
            document = pdf.make_indirect(
                Dictionary(Type=Name.StructElem, S=Name.Document, K=Array())
            )
            pdf.Root.StructTreeRoot = pdf.make_indirect(
                Dictionary(Type=Name.StructTreeRoot, K=Array([document]))
            )
            document.P = pdf.Root.StructTreeRoot
            pdf.Root.StructTreeRoot.ParentTree = pdf.make_indirect(Dictionary(Nums=Array()))
            pdf.Root.MarkInfo = Dictionary(Marked=True)
        self.root = pdf.Root.StructTreeRoot
        self.document = self.root.K[0]
        self.nums: list[int | pikepdf.Object] = list(self.root.ParentTree.Nums)
        self.next_key = next_key(self.nums)

    def append(self, source: pikepdf.Pdf, pages: Iterable[pikepdf.Page]) -> None:
        """Adopt the structure of ``source``, whose pages were just added as ``pages``."""
        if "/StructTreeRoot" not in source.Root:
            return
        shift = self.next_key
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + shift
        source_root = source.Root.StructTreeRoot
        for kid in copy_objects(self.pdf, source, source_root.K[0].K):
            if isinstance(kid, Dictionary) and "/S" in kid:
                kid.P = self.document
            self.document.K.append(kid)
        source_nums = list(source_root.ParentTree.Nums)
        copied = copy_objects(self.pdf, source, Array(source_nums[1::2]))
        for key, value in zip(source_nums[0::2], copied):
            self.nums += [int(key) + shift, value]
        self.next_key = shift + next_key(source_nums)

    def write(self) -> None:
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(self.nums)))
        self.root.ParentTreeNextKey = self.next_key


def copy_objects(pdf: pikepdf.Pdf, source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``obj`` of ``source`` copied into ``pdf``; the objects it refers to (pages included)
    map to the copies already made, so a structure element's /Pg is the copied page."""
    if not obj.is_indirect:
        obj = source.make_indirect(obj)
    return pdf.copy_foreign(obj)


def next_key(nums: Iterable[int | pikepdf.Object]) -> int:
    keys = [int(key) for key in list(nums)[0::2]]
    return max(keys) + 1 if keys else 0

//! The typst `World` (排版环境): one generated main source, charts as virtual files, the
//! fonts of [`PdfFonts`]. No packages, no network, no file system access.

use crate::fonts::PdfFonts;
use std::collections::HashMap;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The standard library, built once per process (it is the same for every document).
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// A file id inside the (virtual) project root. Ids are interned process-wide, so the same
/// path always gives the same id.
pub(crate) fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("generated virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One document to typeset.
pub(crate) struct PdfWorld<'a> {
    fonts: &'a PdfFonts,
    main: Source,
    /// Virtual files the source refers to (chart SVGs), by id.
    files: HashMap<FileId, Bytes>,
}

impl<'a> PdfWorld<'a> {
    pub(crate) fn new(fonts: &'a PdfFonts, main: String, files: Vec<(String, Vec<u8>)>) -> Self {
        let main = Source::new(file_id("/main.typ"), main);
        let files = files
            .into_iter()
            .map(|(path, data)| (file_id(&path), Bytes::new(data)))
            .collect();
        PdfWorld { fonts, main, files }
    }

    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

impl World for PdfWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if self.files.contains_key(&id) {
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    /// No clock: the same input gives the same PDF bytes.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

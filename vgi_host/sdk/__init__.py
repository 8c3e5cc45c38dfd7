"""The pack-author SDK: function base classes and the machinery that reads them."""
